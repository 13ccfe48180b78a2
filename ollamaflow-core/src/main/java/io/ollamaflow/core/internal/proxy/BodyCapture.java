package io.ollamaflow.core.internal.proxy;

import io.ollamaflow.api.ApiFormat;
import io.ollamaflow.api.FlowException;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.function.BiConsumer;

/**
 * A call whose answer body passes through unchanged while its first {@link BodyLog#MAX_BYTES}
 * bytes are kept for {@link BodyLog}; whether it is kept is decided when the pipeline first opens
 * it, once the frontend is known. (The request body needs no copy: the proxy holds it whole, and
 * the reading stage hands its start to {@link BodyLog#requestBodyKeeper}.) Used by one thread at a time.
 */
final class BodyCapture implements ProxyCall {
  /** A sink keeping the first bytes written to it, and counting all of them. */
  static final class Kept extends OutputStream {
    private final byte[] bytes = new byte[BodyLog.MAX_BYTES];
    private int size;
    private long total;

    @Override
    public void write(int b) {
      if (size < bytes.length) bytes[size++] = (byte) b;
      total++;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      int room = Math.min(len, bytes.length - size);
      if (room > 0) {
        System.arraycopy(b, off, bytes, size, room);
        size += room;
      }
      total += len;
    }

    BodyExcerpt excerpt() {
      return new BodyExcerpt(bytes, size, total);
    }
  }

  private final ProxyCall call;
  private final RequestState request;
  private final BodyLog log;
  private OutputStream openedOut;
  /** Null until opened, and when not logged. */
  Kept responseBody;

  BodyCapture(ProxyCall call, RequestState request, BodyLog log) {
    this.call = call;
    this.request = request;
    this.log = log;
  }

  @Override public String method() { return call.method(); }
  @Override public String rawPath() { return call.rawPath(); }
  @Override public String rawQuery() { return call.rawQuery(); }
  @Override public boolean http10() { return call.http10(); }
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

  @Override public InputStream requestBody() { return call.requestBody(); }

  @Override
  public OutputStream responseBody() {
    if (openedOut == null) {
      openedOut = call.responseBody();
      if (log.mayLogResponseOf(request)) {
        Kept kept = responseBody = new Kept();
        openedOut = new FilterOutputStream(openedOut) {
          @Override
          public void write(int b) throws IOException {
            out.write(b);
            kept.write(b);
          }

          @Override
          public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            kept.write(b, off, len);
          }
        };
      }
    }
    return openedOut;
  }
}
