package io.ollamaflow.core.internal.http1;

import java.io.IOException;

/**
 * A request that breaks HTTP/1.1 framing: answered with {@link #status()} and a message naming
 * what was wrong, then the connection is closed (what follows on it cannot be trusted).
 */
final class ProtocolException extends IOException {
  private final int status;

  ProtocolException(int status, String message) {
    super(message);
    this.status = status;
  }

  int status() {
    return status;
  }
}
