package io.ollamaflow.core.internal.http1;

import io.ollamaflow.core.http.FlowHttpHandler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small HTTP/1.1 server with one thread per connection and blocking I/O: a request is read,
 * proxied and answered by the thread that owns the connection, with no hand-off between threads
 * (the JDK's built-in server passes each request from its selector thread to a worker and the
 * connection back again, two wake-ups that dominated the proxy's added latency).
 *
 * <p>Speaks HTTP/1.1 and 1.0: keep-alive, pipelining, chunked and fixed-length bodies both ways,
 * {@code Expect: 100-continue}. No TLS and no HTTP/2 (put a TLS terminator in front).
 */
public final class Http1Server implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Http1Server.class);
  /** How long a connection may stay silent while the server waits for a request or its body. */
  static final int IDLE_TIMEOUT_MS = 120_000;

  private final ServerSocket listener;
  private final FlowHttpHandler handler;
  private final ConnectionThreads threads = new ConnectionThreads();
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  // Not a daemon: like the JDK's server, a running server keeps the JVM alive until closed.
  private final Thread acceptor = new Thread(this::accept, "ollamaflow-http-accept");
  private volatile boolean closed;

  private Http1Server(ServerSocket listener, FlowHttpHandler handler) {
    this.listener = listener;
    this.handler = handler;
  }

  /** Binds {@code address} (port 0 picks a free one) and starts accepting connections. */
  public static Http1Server start(InetSocketAddress address, FlowHttpHandler handler) throws IOException {
    ServerSocket listener = new ServerSocket();
    listener.setReuseAddress(true);
    listener.bind(address, 1024);
    Http1Server server = new Http1Server(listener, handler);
    server.acceptor.start();
    return server;
  }

  public InetSocketAddress address() {
    return (InetSocketAddress) listener.getLocalSocketAddress();
  }

  private void accept() {
    while (!closed) {
      Socket socket;
      try {
        socket = listener.accept();
      } catch (IOException e) {
        if (closed) return;
        // Out of file descriptors, typically: back off instead of spinning.
        log.warn("accepting a connection failed: {}", e.toString());
        sleepQuietly(50);
        continue;
      }
      try {
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(IDLE_TIMEOUT_MS);
        open.add(socket);
        threads.execute(new Http1Connection(socket, handler, () -> open.remove(socket)));
      } catch (SocketException | RejectedExecutionException e) {
        open.remove(socket);
        closeQuietly(socket);
      }
    }
  }

  /** Stops accepting, closes every open connection (ending their exchanges) and releases the threads. */
  @Override
  public void close() {
    closed = true;
    closeQuietly(listener);
    // The kernel keeps completing connections until the accept thread has left accept(), and a
    // socket it accepts meanwhile would miss the loop below: wait for it.
    joinQuietly(acceptor);
    for (Socket socket : open) closeQuietly(socket);
    threads.shutdownNow();
  }

  private static void sleepQuietly(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void joinQuietly(Thread thread) {
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception ignored) {
      // closing anyway
    }
  }
}
