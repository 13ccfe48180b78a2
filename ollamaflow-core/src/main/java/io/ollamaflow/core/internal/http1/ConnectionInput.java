package io.ollamaflow.core.internal.http1;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * The buffered bytes a client sent on one connection: request heads are read line by line, bodies
 * in blocks, and whatever follows a request (a pipelined next one) stays buffered for the next
 * read. Every socket read is bounded in time: by a timeout for that read and by a deadline for the
 * whole of what is being read (a request head, say), whichever comes first; a read that runs out
 * of time throws {@link SocketTimeoutException}. Used by the connection's thread only.
 */
final class ConnectionInput {
  private final Socket socket;
  private final InputStream in;
  private final byte[] buffer = new byte[8192];
  private int pos;
  private int limit;
  private int readTimeoutMs;
  private long deadlineNanos;
  private int soTimeout = -1;

  ConnectionInput(Socket socket, int readTimeoutMs) throws IOException {
    this.socket = socket;
    this.in = socket.getInputStream();
    limits(readTimeoutMs, Long.MAX_VALUE);
  }

  /**
   * Bounds the reads that follow: each may wait at most {@code readTimeoutMs}, and none may end
   * after {@code deadlineNanos} ({@link System#nanoTime()} scale; {@link Long#MAX_VALUE} for none).
   */
  void limits(int readTimeoutMs, long deadlineNanos) {
    this.readTimeoutMs = readTimeoutMs;
    this.deadlineNanos = deadlineNanos;
  }

  /**
   * Waits up to {@code timeoutMs} for the first byte of the next request; false when the client
   * closed the connection instead.
   *
   * @throws SocketTimeoutException when nothing arrived in time
   */
  boolean awaitRequest(int timeoutMs) throws IOException {
    if (pos < limit) return true;
    limits(timeoutMs, Long.MAX_VALUE);
    return fill();
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

  /** The next byte without consuming it, or -1 when none is buffered. */
  int peek() {
    return pos < limit ? buffer[pos] & 0xff : -1;
  }

  /** Like {@link InputStream#read(byte[], int, int)}: -1 at end of stream. */
  int read(byte[] into, int offset, int length) throws IOException {
    if (length == 0) return 0;
    if (pos == limit) {
      // A large read bypasses the buffer: no copy for big request bodies.
      if (length >= buffer.length) return socketRead(into, offset, length);
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
    int n = socketRead(buffer, 0, buffer.length);
    if (n <= 0) return false;
    pos = 0;
    limit = n;
    return true;
  }

  private int socketRead(byte[] into, int offset, int length) throws IOException {
    int timeout = readTimeoutMs;
    if (deadlineNanos != Long.MAX_VALUE) {
      long left = deadlineNanos - System.nanoTime();
      if (left <= 0) throw new SocketTimeoutException("deadline passed");
      // Rounded up: a zero SO_TIMEOUT would mean "wait forever".
      timeout = (int) Math.min(timeout, (left + 999_999) / 1_000_000);
    }
    if (timeout != soTimeout) {
      socket.setSoTimeout(timeout);
      soTimeout = timeout;
    }
    return in.read(into, offset, length);
  }
}
