package io.ollamaflow.core.http;

import io.ollamaflow.core.internal.http1.Http1Server;
import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * A {@link FlowHttpHandler} served over HTTP/1.1 by a small built-in server made for a proxy: one
 * thread per connection with blocking I/O, so a request is read, forwarded and answered by one
 * thread without hand-offs (platform threads for the first 256 connections, virtual threads
 * beyond on JDK 21+), TCP_NODELAY on, keep-alive, chunked bodies both ways and
 * {@code Expect: 100-continue}. What a client may hold (connections, time to send or to read) is
 * bounded by {@link HttpServerOptions}. HTTPS with {@link HttpServerOptions.Builder#tls} (TLS 1.2 and 1.3,
 * optionally mutual), and client addresses filtered by {@link HttpServerOptions.Builder#accessControl}
 * before anything is read. No HTTP/2: for it, mount the handler in a servlet container
 * ({@link FlowServlet}).
 */
public final class FlowHttpServer implements AutoCloseable {
  private final Http1Server server;

  private FlowHttpServer(Http1Server server) {
    this.server = server;
  }

  /** Binds {@code address} (port 0 picks a free one) and starts serving {@code handler} with {@link HttpServerOptions#defaults()}. */
  public static FlowHttpServer start(InetSocketAddress address, FlowHttpHandler handler) throws IOException {
    return start(address, handler, HttpServerOptions.defaults());
  }

  /** Binds {@code address} (port 0 picks a free one) and starts serving {@code handler} within {@code options}' limits. */
  public static FlowHttpServer start(InetSocketAddress address, FlowHttpHandler handler, HttpServerOptions options)
      throws IOException {
    return new FlowHttpServer(Http1Server.start(address, handler, options));
  }

  /** The bound port. */
  public int port() {
    return server.address().getPort();
  }

  public InetSocketAddress address() {
    return server.address();
  }

  /**
   * Stops accepting and drains: connections between requests close at once, requests in flight
   * may finish for up to {@link HttpServerOptions#shutdownGrace()}, then the rest are closed.
   */
  @Override
  public void close() {
    server.close();
  }
}
