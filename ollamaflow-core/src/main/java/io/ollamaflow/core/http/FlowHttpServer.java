package io.ollamaflow.core.http;

import com.sun.net.httpserver.HttpServer;
import io.ollamaflow.core.internal.Threads;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;

/**
 * A {@link FlowHttpHandler} served by the JDK's built-in HTTP server, set up the way a proxy
 * needs: TCP_NODELAY on, and one virtual thread per request where the JDK has them (21+), else
 * a growing pool of platform threads (a stream holds its thread while it lasts).
 */
public final class FlowHttpServer implements AutoCloseable {
  private final HttpServer server;
  private final ExecutorService executor;

  private FlowHttpServer(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /**
   * Binds {@code address} (port 0 picks a free one) and starts serving {@code handler} at the root.
   * Sets {@code sun.net.httpserver.nodelay=true} unless already set; the JDK reads it once, when
   * its first server is created.
   */
  public static FlowHttpServer start(InetSocketAddress address, FlowHttpHandler handler) throws IOException {
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
    HttpServer server = HttpServer.create(address, 1024);
    ExecutorService executor = Threads.perTask("ollamaflow-http");
    server.setExecutor(executor);
    server.createContext("/", new JdkHttpServerAdapter(handler));
    server.start();
    return new FlowHttpServer(server, executor);
  }

  /** The bound port. */
  public int port() {
    return server.getAddress().getPort();
  }

  public InetSocketAddress address() {
    return server.getAddress();
  }

  /** Stops accepting, ends open exchanges and releases the threads. */
  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

}
