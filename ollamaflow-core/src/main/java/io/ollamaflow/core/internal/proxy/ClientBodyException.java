package io.ollamaflow.core.internal.proxy;

import java.io.IOException;

/**
 * Reading the client's request body failed: it was too large, or the client stopped sending. The
 * client's fault, answered 413 or left to the listener (408 after its read limits).
 */
final class ClientBodyException extends IOException {
  private final boolean tooLarge;

  private ClientBodyException(String message, IOException cause, boolean tooLarge) {
    super(message, cause);
    this.tooLarge = tooLarge;
  }

  static ClientBodyException tooLarge(long limit) {
    return new ClientBodyException("request body exceeds " + limit + " bytes", null, true);
  }

  static ClientBodyException readFailed(IOException cause) {
    return new ClientBodyException("reading the request body failed: " + cause.getMessage(), cause, false);
  }

  /** True when the body was larger than the frontend's MaxRequestBodySize. */
  boolean tooLarge() {
    return tooLarge;
  }
}
