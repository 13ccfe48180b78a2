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
    try {
      listener.requestStarted(r);
    } catch (RuntimeException e) {
      complain("requestStarted", e);
    }
  }

  void backendSelected(RequestInfo r, String reason) {
    try {
      listener.backendSelected(r, reason);
    } catch (RuntimeException e) {
      complain("backendSelected", e);
    }
  }

  void firstByte(RequestInfo r) {
    try {
      listener.firstByte(r);
    } catch (RuntimeException e) {
      complain("firstByte", e);
    }
  }

  void requestFinished(RequestInfo r) {
    try {
      listener.requestFinished(r);
    } catch (RuntimeException e) {
      complain("requestFinished", e);
    }
  }

  void requestFailed(RequestInfo r, FlowException failure) {
    try {
      listener.requestFailed(r, failure);
    } catch (RuntimeException e) {
      complain("requestFailed", e);
    }
  }

  private void complain(String method, RuntimeException e) {
    log.warn("FlowEventListener.{} threw; ignored", method, e);
  }
}
