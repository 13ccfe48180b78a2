package io.ollamaflow.core.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Mounts a {@link FlowHttpHandler} on the JDK's {@code com.sun.net.httpserver.HttpServer}, at the
 * root or under a context path (the path seen by the handler is relative to the context).
 *
 * <p>The JDK server leaves TCP_NODELAY off unless the JVM starts with
 * {@code -Dsun.net.httpserver.nodelay=true} (or the property is set before the first server is
 * created); without it every proxied answer waits about 40 ms on Nagle's algorithm. Each request
 * passes from the JDK server's selector thread to a worker and back, which costs latency;
 * {@link FlowHttpServer} avoids that and is what the standalone server uses.
 */
public final class JdkHttpServerAdapter implements HttpHandler {
  private final FlowHttpHandler handler;

  public JdkHttpServerAdapter(FlowHttpHandler handler) {
    this.handler = handler;
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    // Not closed when the handler throws: the JDK's server then drops the connection, so a body
    // cut short is not ended as if it were whole.
    handler.handle(new JdkExchange(exchange));
    exchange.close();
  }

  private static final class JdkExchange implements FlowHttpExchange {
    private final HttpExchange exchange;
    private final String rawPath;

    JdkExchange(HttpExchange exchange) {
      this.exchange = exchange;
      String path = exchange.getRequestURI().getRawPath();
      String context = exchange.getHttpContext().getPath();
      if (context.length() > 1 && path.startsWith(context)) {
        path = path.substring(context.endsWith("/") ? context.length() - 1 : context.length());
      }
      this.rawPath = path.isEmpty() ? "/" : path;
    }

    @Override
    public String method() {
      return exchange.getRequestMethod();
    }

    @Override
    public String rawPath() {
      return rawPath;
    }

    @Override
    public String rawQuery() {
      return exchange.getRequestURI().getRawQuery();
    }

    @Override
    public String protocol() {
      return exchange.getProtocol();
    }

    @Override
    public String requestHeader(String name) {
      return exchange.getRequestHeaders().getFirst(name);
    }

    @Override
    public void forEachRequestHeader(BiConsumer<String, String> action) {
      for (Map.Entry<String, List<String>> header : exchange.getRequestHeaders().entrySet()) {
        for (String value : header.getValue()) action.accept(header.getKey(), value);
      }
    }

    @Override
    public InputStream requestBody() {
      return exchange.getRequestBody();
    }

    @Override
    public String remoteAddress() {
      return exchange.getRemoteAddress().getAddress().getHostAddress();
    }

    @Override
    public void addResponseHeader(String name, String value) {
      exchange.getResponseHeaders().add(name, value);
    }

    @Override
    public void sendResponseHeaders(int status, long contentLength) throws IOException {
      // The JDK's convention: 0 means chunked, -1 means no body.
      long jdkLength = contentLength == UNKNOWN_LENGTH ? 0 : contentLength == 0 ? -1 : contentLength;
      exchange.sendResponseHeaders(status, jdkLength);
    }

    @Override
    public OutputStream responseBody() {
      return exchange.getResponseBody();
    }
  }
}
