package io.ollamaflow.core.internal.proxy;

import io.ollamaflow.api.ErrorCode;
import io.ollamaflow.api.FlowException;
import io.ollamaflow.api.Frontend;

/** Refusals raised from more than one stage of the proxy. */
final class ProxyErrors {
  private ProxyErrors() {}

  static FlowException tooLarge(Frontend frontend) {
    return new FlowException(ErrorCode.PAYLOAD_TOO_LARGE, "request body exceeds MaxRequestBodySize of frontend '"
        + frontend.identifier() + "' (" + frontend.maxRequestBodySize() + " bytes)");
  }
}
