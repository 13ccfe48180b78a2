package io.ollamaflow.core.internal.http1;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * One response's bytes on their way to the socket: the head, then the body framed by
 * Content-Length or in chunks. Nothing reaches the socket before {@link #flush()} or a full
 * buffer, so a small answer leaves in one write, head and body together.
 */
final class ResponseOutput extends OutputStream {
  enum Framing { NO_BODY, FIXED, CHUNKED, UNTIL_CLOSE }

  private static final byte[] CRLF = {'\r', '\n'};
  private static final byte[] LAST_CHUNK = "0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

  /** An 8 KB write (the proxy's relay block) plus its chunk framing fits in one buffer. */
  static final int BUFFER_SIZE = 8192 + 64;

  private final OutputStream socket;
  private final byte[] buffer;
  private int count;
  private Framing framing;
  private long remaining;
  private boolean finished;

  /** @param buffer {@link #BUFFER_SIZE} bytes, the connection's, reused by each of its responses */
  ResponseOutput(OutputStream socket, byte[] buffer) {
    this.socket = socket;
    this.buffer = buffer;
  }

  /** Buffers the status line and headers, and sets how the body is framed. */
  void begin(String head, Framing framing, long contentLength) throws IOException {
    this.framing = framing;
    this.remaining = contentLength;
    byte[] bytes = head.getBytes(StandardCharsets.ISO_8859_1);
    raw(bytes, 0, bytes.length);
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    if (framing == null) throw new IllegalStateException("send the response headers before the body");
    if (finished) throw new IOException("the response is already complete");
    if (len == 0) return;
    switch (framing) {
      case NO_BODY -> throw new IOException("this response has no body (HEAD, 204 or 304)");
      case FIXED -> {
        if (len > remaining) throw new IOException("response body longer than its Content-Length");
        remaining -= len;
        raw(b, off, len);
      }
      case CHUNKED -> {
        byte[] size = (Integer.toHexString(len) + "\r\n").getBytes(StandardCharsets.US_ASCII);
        raw(size, 0, size.length);
        raw(b, off, len);
        raw(CRLF, 0, CRLF.length);
      }
      case UNTIL_CLOSE -> raw(b, off, len);
    }
  }

  @Override
  public void flush() throws IOException {
    flushBuffer();
    socket.flush();
  }

  /** Ends the body (the last chunk, if chunked) and sends everything buffered; idempotent. */
  void finish() throws IOException {
    if (finished || framing == null) return;
    finished = true;
    if (framing == Framing.CHUNKED) raw(LAST_CHUNK, 0, LAST_CHUNK.length);
    flush();
  }

  /** Closing the body stream ends the response, as with the JDK's server. */
  @Override
  public void close() throws IOException {
    finish();
  }

  /** Whether the response head was given ({@link #begin}), so the final response has started. */
  boolean begun() {
    return framing != null;
  }

  /** Whether the body the head announced was sent whole (false: the connection must close). */
  boolean complete() {
    return framing != Framing.FIXED || remaining == 0;
  }

  private void raw(byte[] b, int off, int len) throws IOException {
    if (len > buffer.length - count) {
      flushBuffer();
      if (len > buffer.length) {
        socket.write(b, off, len);
        return;
      }
    }
    System.arraycopy(b, off, buffer, count, len);
    count += len;
  }

  private void flushBuffer() throws IOException {
    if (count > 0) {
      socket.write(buffer, 0, count);
      count = 0;
    }
  }
}
