package io.ollamaflow.core.internal.proxy;

import io.ollamaflow.api.FlowEventListener;
import io.ollamaflow.api.FlowException;
import io.ollamaflow.api.RequestInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Calls the host's listener so that its failures never reach the request path. */
final class Events {
  private static final Logger log = LoggerFactory.getLogger(Events.class);

  private final FlowEventListener listener;

  Events(FlowEventListener listener) {
    this.listener = listener;
  }

  void requestStarted(RequestInfo r) {
    safely("requestStarted", () -> listener.requestStarted(r));
  }

  void backendSelected(RequestInfo r, String reason) {
    safely("backendSelected", () -> listener.backendSelected(r, reason));
  }

  void firstByte(RequestInfo r) {
    safely("firstByte", () -> listener.firstByte(r));
  }

  void requestFinished(RequestInfo r) {
    safely("requestFinished", () -> listener.requestFinished(r));
  }

  void requestFailed(RequestInfo r, FlowException failure) {
    safely("requestFailed", () -> listener.requestFailed(r, failure));
  }

  private static void safely(String method, Runnable call) {
    try {
      call.run();
    } catch (RuntimeException e) {
      log.warn("FlowEventListener.{} threw; ignored", method, e);
    }
  }
}
