package io.ollamaflow.core.testing;

import io.ollamaflow.api.FlowEventListener;
import io.ollamaflow.api.RequestInfo;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** The cluster's own resends, as {@code "<backend>: <reason>"} lines in the order reported. */
public final class RetryLog implements FlowEventListener {
  private final List<String> retries = new CopyOnWriteArrayList<>();

  @Override
  public void retried(RequestInfo request, String reason) {
    retries.add(request.backendId() + ": " + reason);
  }

  public List<String> retries() {
    return List.copyOf(retries);
  }
}
