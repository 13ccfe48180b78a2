package io.ollamaflow.core.internal.http1;

import io.ollamaflow.core.http.FlowHttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;

/** One request and its response on an {@link Http1Connection}. Used by the connection's thread only. */
final class Http1Exchange implements FlowHttpExchange {
  /** Request body bytes the server reads and drops after a response to keep the connection open. */
  static final long DRAIN_LIMIT = 64 * 1024;

  private final RequestHead head;
  private final RequestBody body;
  private final ResponseOutput out;
  private final String remoteAddress;
  private final boolean expectContinue;
  private final List<String> responseHeaders = new ArrayList<>();
  private final BooleanSupplier draining;
  private boolean closeAfter;

  /** @param draining whether the server is shutting down, so the connection must close after this exchange */
  Http1Exchange(RequestHead head, RequestBody body, ResponseOutput out, String remoteAddress, boolean expectContinue,
      BooleanSupplier draining) {
    this.head = head;
    this.body = body;
    this.out = out;
    this.remoteAddress = remoteAddress;
    this.expectContinue = expectContinue;
    this.draining = draining;
    this.closeAfter = head.http10 || head.lists("Connection", "close");
  }

  @Override
  public String method() {
    return head.method;
  }

  @Override
  public String rawPath() {
    return head.rawPath;
  }

  @Override
  public String rawQuery() {
    return head.rawQuery;
  }

  @Override
  public String protocol() {
    return head.http10 ? "HTTP/1.0" : "HTTP/1.1";
  }

  @Override
  public String requestHeader(String name) {
    return head.first(name);
  }

  @Override
  public void forEachRequestHeader(BiConsumer<String, String> action) {
    for (int i = 0; i < head.names.size(); i++) action.accept(head.names.get(i), head.values.get(i));
  }

  @Override
  public InputStream requestBody() {
    return body;
  }

  @Override
  public String remoteAddress() {
    return remoteAddress;
  }

  @Override
  public void addResponseHeader(String name, String value) {
    if (started()) throw new IllegalStateException("response headers already sent");
    if (name.indexOf('\r') >= 0 || name.indexOf('\n') >= 0 || value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
      throw new IllegalArgumentException("line break in response header " + name);
    }
    // The server frames the body and manages the connection itself.
    if (name.equalsIgnoreCase("Content-Length") || name.equalsIgnoreCase("Transfer-Encoding")) return;
    if (name.equalsIgnoreCase("Connection")) {
      if (value.toLowerCase(Locale.ROOT).contains("close")) closeAfter = true;
      return;
    }
    responseHeaders.add(name);
    responseHeaders.add(value);
  }

  @Override
  public void sendResponseHeaders(int status, long contentLength) throws IOException {
    if (started()) throw new IllegalStateException("response headers already sent");
    if (status < 200 || status > 999) throw new IllegalArgumentException("response status " + status);
    StringBuilder h = new StringBuilder(256).append("HTTP/1.1 ").append(status).append(' ')
        .append(ReasonPhrases.of(status)).append("\r\nDate: ").append(HttpDate.now()).append("\r\n");
    for (int i = 0; i < responseHeaders.size(); i += 2) {
      h.append(responseHeaders.get(i)).append(": ").append(responseHeaders.get(i + 1)).append("\r\n");
    }
    ResponseOutput.Framing framing;
    if (head.method.equals("HEAD") || status == 204 || status == 304) {
      framing = ResponseOutput.Framing.NO_BODY;
      if (contentLength > 0 && head.method.equals("HEAD")) h.append("Content-Length: ").append(contentLength).append("\r\n");
    } else if (contentLength >= 0) {
      framing = ResponseOutput.Framing.FIXED;
      h.append("Content-Length: ").append(contentLength).append("\r\n");
    } else if (head.http10) {
      framing = ResponseOutput.Framing.UNTIL_CLOSE;
    } else {
      framing = ResponseOutput.Framing.CHUNKED;
      h.append("Transfer-Encoding: chunked\r\n");
    }
    if (!body.finished() && (expectContinue && !body.started() || unreadExceeds(DRAIN_LIMIT))) {
      // The rest of the body will not be read, or is too large to read and drop: the client must
      // not send its next request on this connection.
      closeAfter = true;
    }
    if (closeAfter || draining.getAsBoolean() || framing == ResponseOutput.Framing.UNTIL_CLOSE) {
      closeAfter = true;
      h.append("Connection: close\r\n");
    }
    out.begin(h.append("\r\n").toString(), framing, contentLength);
    // A streamed answer shows its status at once; a whole one leaves with its body in one write.
    if (framing == ResponseOutput.Framing.CHUNKED || framing == ResponseOutput.Framing.UNTIL_CLOSE) out.flush();
  }

  private boolean unreadExceeds(long limit) {
    return head.bodyLength == RequestHead.CHUNKED || head.bodyLength > limit;
  }

  @Override
  public OutputStream responseBody() {
    return out;
  }

  boolean started() {
    return out.begun();
  }

  /** Whether the connection must close after this exchange. */
  boolean closeAfter() {
    return closeAfter;
  }

  /** The Date header's value, formatted at most once a second. */
  private static final class HttpDate {
    private record Stamp(long second, String text) {}

    /** RFC 9110 IMF-fixdate: a two-digit day (RFC_1123_DATE_TIME writes "3 Nov"). */
    private static final DateTimeFormatter IMF_FIXDATE = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US);
    private static volatile Stamp last = new Stamp(-1, "");

    static String now() {
      long second = System.currentTimeMillis() / 1000;
      Stamp stamp = last;
      if (stamp.second != second) {
        String text = IMF_FIXDATE.format(ZonedDateTime.now(ZoneOffset.UTC));
        stamp = new Stamp(second, text);
        last = stamp;
      }
      return stamp.text;
    }
  }
}
