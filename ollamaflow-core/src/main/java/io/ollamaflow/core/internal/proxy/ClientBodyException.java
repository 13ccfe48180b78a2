package io.ollamaflow.core.internal.proxy;

import java.io.IOException;

/**
 * Reading the client's request body failed while it was being forwarded. Kept apart from
 * backend I/O errors because it is the client's fault: the backend is not to blame.
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

  /** The ClientBodyException in a cause chain, or null. */
  static ClientBodyException in(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof ClientBodyException) return (ClientBodyException) c;
    }
    return null;
  }
}
