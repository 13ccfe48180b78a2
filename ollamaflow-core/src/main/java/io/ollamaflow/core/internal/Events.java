package io.ollamaflow.core.internal;

import io.ollamaflow.api.BackendView;
import io.ollamaflow.api.FlowEventListener;
import io.ollamaflow.api.FlowException;
import io.ollamaflow.api.HealthStatus;
import io.ollamaflow.api.RequestInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Calls the host's listener so that its failures never reach the request path or the update thread. */
public final class Events {
  private static final Logger log = LoggerFactory.getLogger(Events.class);

  private final FlowEventListener listener;

  public Events(FlowEventListener listener) {
    this.listener = listener;
  }

  public void requestStarted(RequestInfo r) {
    safely("requestStarted", () -> listener.requestStarted(r));
  }

  public void backendSelected(RequestInfo r, String reason) {
    safely("backendSelected", () -> listener.backendSelected(r, reason));
  }

  public void retried(RequestInfo r, String reason) {
    safely("retried", () -> listener.retried(r, reason));
  }

  public void firstByte(RequestInfo r) {
    safely("firstByte", () -> listener.firstByte(r));
  }

  public void requestFinished(RequestInfo r) {
    safely("requestFinished", () -> listener.requestFinished(r));
  }

  public void requestFailed(RequestInfo r, FlowException failure) {
    safely("requestFailed", () -> listener.requestFailed(r, failure));
  }

  public void healthChanged(BackendView backend, HealthStatus previous) {
    safely("healthChanged", () -> listener.healthChanged(backend, previous));
  }

  private static void safely(String method, Runnable call) {
    try {
      call.run();
    } catch (RuntimeException e) {
      log.warn("FlowEventListener.{} threw; ignored", method, e);
    }
  }
}
