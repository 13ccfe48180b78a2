package io.ollamaflow.core.internal.proxy;

import io.ollamaflow.api.ApiFormat;
import io.ollamaflow.api.FlowException;
import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.function.BiConsumer;

/**
 * A call whose request and answer bodies pass through unchanged while their first
 * {@link BodyLog#MAX_BYTES} bytes are kept for {@link BodyLog}. Whether a body is kept is decided
 * when the pipeline first opens it, once the frontend is known. Used by one thread at a time.
 */
final class BodyCapture implements ProxyCall {
  /** The first bytes of one body, and how many it had in all. */
  static final class Kept {
    private final byte[] bytes = new byte[BodyLog.MAX_BYTES];
    private int size;
    private long total;

    void add(byte[] b, int off, int len) {
      int room = Math.min(len, bytes.length - size);
      if (room > 0) {
        System.arraycopy(b, off, bytes, size, room);
        size += room;
      }
      total += len;
    }

    byte[] bytes() { return bytes; }
    int size() { return size; }
    long total() { return total; }
  }

  private final ProxyCall call;
  private final RequestState request;
  private final BodyLog log;
  private InputStream openedIn;
  private OutputStream openedOut;
  /** Null until opened, and when not logged. */
  Kept requestBody;
  Kept responseBody;

  BodyCapture(ProxyCall call, RequestState request, BodyLog log) {
    this.call = call;
    this.request = request;
    this.log = log;
  }

  @Override public String method() { return call.method(); }
  @Override public String rawPath() { return call.rawPath(); }
  @Override public String rawQuery() { return call.rawQuery(); }
  @Override public String requestHeader(String name) { return call.requestHeader(name); }
  @Override public void forEachRequestHeader(BiConsumer<String, String> action) { call.forEachRequestHeader(action); }
  @Override public String remoteAddress() { return call.remoteAddress(); }
  @Override public void addResponseHeader(String name, String value) { call.addResponseHeader(name, value); }

  @Override
  public void sendResponseHeaders(int status, long contentLength) throws IOException {
    call.sendResponseHeaders(status, contentLength);
  }

  /** Refusals are the transport's own answers; the access log already names them. */
  @Override
  public void refuse(FlowException error, ApiFormat dialect) throws IOException {
    call.refuse(error, dialect);
  }

  @Override
  public InputStream requestBody() {
    if (openedIn == null) {
      openedIn = call.requestBody();
      if (log.logsRequestOf(request.frontendRoute() == null ? null : request.frontend())) {
        Kept kept = requestBody = new Kept();
        openedIn = new FilterInputStream(openedIn) {
          @Override
          public int read() throws IOException {
            int b = super.read();
            if (b >= 0) kept.add(new byte[] {(byte) b}, 0, 1);
            return b;
          }

          @Override
          public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) kept.add(b, off, n);
            return n;
          }
        };
      }
    }
    return openedIn;
  }

  @Override
  public OutputStream responseBody() {
    if (openedOut == null) {
      openedOut = call.responseBody();
      if (log.logsResponseOf(request.frontendRoute() == null ? null : request.frontend())) {
        Kept kept = responseBody = new Kept();
        openedOut = new FilterOutputStream(openedOut) {
          @Override
          public void write(int b) throws IOException {
            out.write(b);
            kept.add(new byte[] {(byte) b}, 0, 1);
          }

          @Override
          public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            kept.add(b, off, len);
          }
        };
      }
    }
    return openedOut;
  }
}
