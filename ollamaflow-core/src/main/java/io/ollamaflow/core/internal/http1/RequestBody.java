package io.ollamaflow.core.internal.http1;

import io.ollamaflow.core.http.HttpServerOptions;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.util.Arrays;

/**
 * One request's body: exactly Content-Length bytes, or the decoded chunks of a chunked body (its
 * trailers are read and dropped). A framing error is a {@link ProtocolException} (400), and ends
 * the connection. The first read sends {@code 100 Continue} when the client asked for it.
 *
 * <p>Reads are bounded in time ({@link HttpServerOptions#readTimeout()} for each, and
 * {@link HttpServerOptions#minBodyBytesPerSecond()} on average): a body that stalls or trickles
 * fails with 408, so a slow client cannot keep a request, and the backend slot it holds, open.
 */
final class RequestBody extends InputStream {
  private static final int MAX_CHUNK_LINE = 4096;

  private final ConnectionInput in;
  private final boolean chunked;
  private final Runnable beforeFirstRead;
  private final int readTimeoutMs;
  private final long minBytesPerSecond;
  private long startNanos;
  private long received;
  /** Bytes read ahead by {@link #readAhead}, handed out before anything else. */
  private byte[] ahead = new byte[0];
  private int aheadPos;
  /** Bytes left in the body (fixed length) or in the current chunk (chunked). */
  private long remaining;
  private boolean started;
  private boolean finished;
  /** A chunk with data was begun and the CRLF after its data is still unread. */
  private boolean inChunk;
  private ProtocolException malformed;

  /**
   * @param beforeFirstRead run once, before the first byte is read (sends 100 Continue); may be null
   */
  RequestBody(ConnectionInput in, long length, Runnable beforeFirstRead, HttpServerOptions options) {
    this.in = in;
    this.chunked = length == RequestHead.CHUNKED;
    this.remaining = chunked ? 0 : length;
    this.finished = !chunked && length == 0;
    this.beforeFirstRead = beforeFirstRead;
    this.readTimeoutMs = (int) options.readTimeout().toMillis();
    this.minBytesPerSecond = options.minBodyBytesPerSecond();
  }

  /**
   * Reads up to {@code max} bytes of the body now and keeps them for the handler, so a small body
   * is in memory, whole, before the handler takes any resource for the request.
   *
   * @throws ProtocolException 408 when the client is too slow, 400 for a broken body
   */
  void readAhead(int max) throws IOException {
    // Grown as bytes arrive: a client announcing a large body and sending little holds little memory.
    byte[] bytes = new byte[(int) Math.min(max, chunked ? 8192 : Math.min(8192, remaining))];
    int n = 0;
    while (!finished && n < max) {
      if (n == bytes.length) bytes = Arrays.copyOf(bytes, (int) Math.min(max, 2L * n));
      int r = wireRead(bytes, n, bytes.length - n);
      if (r < 0) break;
      n += r;
    }
    ahead = n == bytes.length ? bytes : Arrays.copyOf(bytes, n);
    aheadPos = 0;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] into, int offset, int length) throws IOException {
    if (aheadPos < ahead.length && length > 0) {
      int n = Math.min(length, ahead.length - aheadPos);
      System.arraycopy(ahead, aheadPos, into, offset, n);
      aheadPos += n;
      return n;
    }
    return wireRead(into, offset, length);
  }

  private int wireRead(byte[] into, int offset, int length) throws IOException {
    if (malformed != null) throw malformed;
    if (finished) return -1;
    if (length == 0) return 0;
    if (!started) {
      started = true;
      startNanos = System.nanoTime();
      if (beforeFirstRead != null) beforeFirstRead.run();
    }
    long deadline = rateDeadline();
    in.limits(readTimeoutMs, deadline);
    try {
      if (chunked && remaining == 0 && !nextChunk()) return -1;
      int n = in.read(into, offset, (int) Math.min(length, remaining));
      if (n < 0) throw new ProtocolException(400, "the connection ended " + remaining + " bytes before the end of the request body");
      remaining -= n;
      received += n;
      if (!chunked && remaining == 0) finished = true;
      return n;
    } catch (SocketTimeoutException e) {
      malformed = new ProtocolException(408, deadline != Long.MAX_VALUE && System.nanoTime() - deadline >= 0
          ? "the request body arrived slower than " + minBytesPerSecond + " bytes per second"
          : "the request body stalled: nothing arrived for " + readTimeoutMs + " ms");
      throw malformed;
    } catch (ProtocolException e) {
      malformed = e;
      throw e;
    }
  }

  /**
   * When the next bytes must have arrived for the body's average rate, counted from its start
   * after one read timeout of grace, to stay at or above the minimum.
   */
  private long rateDeadline() {
    if (minBytesPerSecond == 0) return Long.MAX_VALUE;
    return startNanos + readTimeoutMs * 1_000_000L + (long) (received * 1e9 / minBytesPerSecond);
  }

  /** Reads the next chunk's size line; false after the last chunk and its trailers. */
  private boolean nextChunk() throws IOException {
    if (inChunk) {
      expectLineEnd();
      inChunk = false;
    }
    String line = in.readLine(MAX_CHUNK_LINE, 400, "chunk size line");
    if (line == null) throw new ProtocolException(400, "the connection ended before the end of the chunked request body");
    int semicolon = line.indexOf(';');
    String hex = RequestHead.trimSpaceAndTab(semicolon < 0 ? line : line.substring(0, semicolon));
    if (hex.isEmpty() || hex.length() > 15 || !hex.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
      throw new ProtocolException(400, "malformed chunk size in the request body: '" + hex + "'");
    }
    remaining = Long.parseLong(hex, 16);
    if (remaining > 0) {
      inChunk = true;
      return true;
    }
    skipTrailers();
    finished = true;
    return false;
  }

  private void expectLineEnd() throws IOException {
    int c = in.read();
    if (c == '\r') c = in.read();
    if (c != '\n') throw new ProtocolException(400, "chunk data in the request body is not followed by CRLF");
  }

  private void skipTrailers() throws IOException {
    int bytes = 0;
    while (true) {
      String trailer = in.readLine(RequestHead.MAX_HEADER_LINE, 431, "trailer line");
      if (trailer == null) throw new ProtocolException(400, "the connection ended inside the request's trailers");
      if (trailer.isEmpty()) return;
      bytes += trailer.length();
      if (bytes > RequestHead.MAX_HEADER_BYTES) throw new ProtocolException(431, "request trailers too large");
    }
  }

  /** Whether every byte of the body has been read from the connection. */
  boolean finished() {
    return finished;
  }

  /** Whether reading began (so 100 Continue, if asked for, was sent). */
  boolean started() {
    return started;
  }

  /** The framing error met while reading, if any. */
  ProtocolException malformed() {
    return malformed;
  }

  /**
   * Reads and drops up to {@code limit} bytes of what is left, so the connection can carry the
   * next request.
   *
   * @return whether the body is now fully read
   */
  boolean drain(long limit) throws IOException {
    byte[] skip = new byte[8192];
    long dropped = 0;
    while (!finished && dropped < limit) {
      int n = read(skip, 0, (int) Math.min(skip.length, limit - dropped));
      if (n < 0) break;
      dropped += n;
    }
    return finished;
  }
}
