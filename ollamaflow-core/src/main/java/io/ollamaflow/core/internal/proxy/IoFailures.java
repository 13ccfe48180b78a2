package io.ollamaflow.core.internal.proxy;

import java.io.EOFException;
import java.net.SocketTimeoutException;

/** Words for an I/O failure in a message to a client or a log: many carry no message at all (okio's EOFException). */
final class IoFailures {
  private IoFailures() {}

  static String describe(Exception e) {
    if (e instanceof EOFException) return "the connection closed before the response was complete";
    if (e instanceof SocketTimeoutException) return "no data arrived within the read timeout";
    String message = e.getMessage();
    if (message == null || message.isBlank()) return e.getClass().getSimpleName();
    return message;
  }
}
