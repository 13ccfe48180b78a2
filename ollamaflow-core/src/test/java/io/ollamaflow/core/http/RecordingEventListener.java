package io.ollamaflow.core.http;

import io.ollamaflow.api.FlowEventListener;
import io.ollamaflow.api.FlowException;
import io.ollamaflow.api.RequestInfo;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records listener calls as text lines such as {@code "finished GET /api/tags b1 200"}. */
final class RecordingEventListener implements FlowEventListener {
  final List<String> events = new CopyOnWriteArrayList<>();

  @Override
  public void requestStarted(RequestInfo r) {
    events.add("started " + r.method() + " " + r.path());
  }

  @Override
  public void backendSelected(RequestInfo r, String reason) {
    events.add("selected " + r.backendId() + " by " + reason);
  }

  @Override
  public void firstByte(RequestInfo r) {
    events.add("firstByte " + r.status());
  }

  @Override
  public void requestFinished(RequestInfo r) {
    events.add("finished " + r.method() + " " + r.path() + " " + r.backendId() + " " + r.status());
  }

  @Override
  public void requestFailed(RequestInfo r, FlowException failure) {
    events.add("failed " + failure.httpStatus() + " " + failure.getMessage());
  }
}
