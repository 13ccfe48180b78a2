package io.ollamaflow.core.internal.http1;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * The buffered bytes a client sent on one connection: request heads are read line by line, bodies
 * in blocks, and whatever follows a request (a pipelined next one) stays buffered for the next
 * read. Used by the connection's thread only.
 */
final class ConnectionInput {
  private final InputStream socket;
  private final byte[] buffer = new byte[8192];
  private int pos;
  private int limit;

  ConnectionInput(InputStream socket) {
    this.socket = socket;
  }

  /**
   * One line without its line ending (CRLF, or a bare LF as RFC 9112 allows servers to accept),
   * decoded as ISO-8859-1; null at end of stream before any byte of the line.
   *
   * @param what the line's name in error messages, e.g. "request line"
   * @throws ProtocolException with {@code tooLongStatus} when the line exceeds {@code maxLength}
   *     bytes, or 400 for an unexpected end of stream or a bare CR inside the line
   */
  String readLine(int maxLength, int tooLongStatus, String what) throws IOException {
    StringBuilder line = null;
    while (true) {
      if (pos == limit && !fill()) {
        if (line == null) return null;
        throw new ProtocolException(400, "the connection ended in the middle of a " + what);
      }
      int start = pos;
      while (pos < limit && buffer[pos] != '\n') pos++;
      int end = pos;
      boolean complete = pos < limit;
      if (complete) pos++;
      int length = (line == null ? 0 : line.length()) + end - start;
      if (length > maxLength + 1) throw new ProtocolException(tooLongStatus, what + " longer than " + maxLength + " bytes");
      String part = new String(buffer, start, end - start, StandardCharsets.ISO_8859_1);
      if (!complete) {
        if (line == null) line = new StringBuilder();
        line.append(part);
        continue;
      }
      String whole = line == null ? part : line.append(part).toString();
      if (whole.endsWith("\r")) whole = whole.substring(0, whole.length() - 1);
      if (whole.length() > maxLength) throw new ProtocolException(tooLongStatus, what + " longer than " + maxLength + " bytes");
      if (whole.indexOf('\r') >= 0) throw new ProtocolException(400, "a bare CR inside a " + what);
      return whole;
    }
  }

  /** Like {@link InputStream#read(byte[], int, int)}: -1 at end of stream. */
  int read(byte[] into, int offset, int length) throws IOException {
    if (length == 0) return 0;
    if (pos == limit) {
      // A large read bypasses the buffer: no copy for big request bodies.
      if (length >= buffer.length) return socket.read(into, offset, length);
      if (!fill()) return -1;
    }
    int n = Math.min(length, limit - pos);
    System.arraycopy(buffer, pos, into, offset, n);
    pos += n;
    return n;
  }

  int read() throws IOException {
    if (pos == limit && !fill()) return -1;
    return buffer[pos++] & 0xff;
  }

  private boolean fill() throws IOException {
    int n = socket.read(buffer, 0, buffer.length);
    if (n <= 0) return false;
    pos = 0;
    limit = n;
    return true;
  }
}
