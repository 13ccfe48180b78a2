package io.ollamaflow.core.internal.http1;

import io.ollamaflow.core.http.FlowHttpHandler;
import io.ollamaflow.core.http.HttpServerOptions;
import io.ollamaflow.core.internal.Threads;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small HTTP/1.1 server with one thread per connection and blocking I/O: a request is read,
 * proxied and answered by the thread that owns the connection, with no hand-off between threads
 * (the JDK's built-in server passes each request from its selector thread to a worker and the
 * connection back again, two wake-ups that dominated the proxy's added latency).
 *
 * <p>Speaks HTTP/1.1 and 1.0: keep-alive, pipelining, chunked and fixed-length bodies both ways,
 * {@code Expect: 100-continue}, optionally over TLS 1.2/1.3 ({@link TlsHandshake}, on the
 * connection's thread). No HTTP/2.
 *
 * <p>Every resource a client can hold is bounded by {@link HttpServerOptions}: connections in all
 * and per address, time to send a head, a body, or to read an answer (a watchdog closes a
 * connection whose write is stalled), and time between kept-alive requests.
 */
public final class Http1Server implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Http1Server.class);

  private final ServerSocket listener;
  private final FlowHttpHandler handler;
  private final HttpServerOptions options;
  private final ConnectionThreads threads = new ConnectionThreads();
  private final Map<Http1Connection, InetAddress> open = new ConcurrentHashMap<>();
  private final Map<InetAddress, Integer> perAddress = new ConcurrentHashMap<>();
  private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(
      Threads.daemons("ollamaflow-http-watchdog"));
  private final AcceptBackoff backoff = new AcceptBackoff();
  /** Null for plain HTTP. */
  private final TlsHandshake tls;
  /** Notified whenever a connection closes, for a draining shutdown. */
  private final Object closing = new Object();
  // Not a daemon: like the JDK's server, a running server keeps the JVM alive until closed.
  private final Thread acceptor = new Thread(this::accept, "ollamaflow-http-accept");
  private volatile boolean closed;
  /** Set once the listener is closed: connections then finish their request and close, and a client told so finds no listener. */
  private volatile boolean draining;

  private Http1Server(ServerSocket listener, FlowHttpHandler handler, HttpServerOptions options) {
    this.listener = listener;
    this.handler = handler;
    this.options = options;
    this.tls = options.tls().map(t -> new TlsHandshake(t, watchdog)).orElse(null);
  }

  public static Http1Server start(InetSocketAddress address, FlowHttpHandler handler) throws IOException {
    return start(address, handler, HttpServerOptions.defaults());
  }

  /** Binds {@code address} (port 0 picks a free one) and starts accepting connections. */
  public static Http1Server start(InetSocketAddress address, FlowHttpHandler handler, HttpServerOptions options)
      throws IOException {
    ServerSocket listener = new ServerSocket();
    listener.setReuseAddress(true);
    listener.bind(address, 1024);
    Http1Server server = new Http1Server(listener, handler, options);
    long writeTimeoutMs = options.writeTimeout().toMillis();
    long period = Math.max(10, Math.min(1_000, writeTimeoutMs / 4));
    server.watchdog.scheduleWithFixedDelay(server::closeStalledWriters, period, period, TimeUnit.MILLISECONDS);
    server.acceptor.start();
    return server;
  }

  public InetSocketAddress address() {
    return (InetSocketAddress) listener.getLocalSocketAddress();
  }

  /** Connections open now. */
  public int openConnections() {
    return open.size();
  }

  /** Connections open now that are not serving a request. */
  int connectionsBetweenRequests() {
    return (int) open.keySet().stream().filter(Http1Connection::betweenRequests).count();
  }

  private void accept() {
    while (!closed) {
      Socket socket;
      try {
        socket = listener.accept();
        backoff.succeeded();
      } catch (IOException e) {
        if (closed) return;
        AcceptBackoff.Step step = backoff.failed(System.nanoTime());
        if (step.report()) {
          log.warn("accepting connections failed ({} times since the last report; retrying with pauses up to {} ms): {}",
              step.failuresToReport(), AcceptBackoff.MAX_PAUSE_MS, e.toString());
        }
        sleepQuietly(step.pauseMs());
        continue;
      }
      admit(socket);
    }
  }

  private void admit(Socket socket) {
    InetAddress address = socket.getInetAddress();
    if (!options.accessControl().permits(address)) {
      // Closed unread and unanswered: a refused address learns nothing and costs no thread.
      log.debug("refused a connection from {}: not permitted by the access control", address.getHostAddress());
      closeQuietly(socket);
      return;
    }
    if (perAddress.getOrDefault(address, 0) >= options.maxConnectionsPerAddress()) {
      refuse(socket, new ProtocolException(429, "too many connections from " + address.getHostAddress()
          + " (at most " + options.maxConnectionsPerAddress() + ")"));
      return;
    }
    if (open.size() >= options.maxConnections() && !evictNewestBetweenRequests()) {
      refuse(socket, new ProtocolException(503, "the server has " + options.maxConnections()
          + " connections open, its maximum, all serving requests"));
      return;
    }
    Http1Connection connection;
    try {
      socket.setTcpNoDelay(true);
      connection = new Http1Connection(socket, tls, handler, options, () -> draining, this::forget);
    } catch (IOException e) {
      closeQuietly(socket);
      return;
    }
    perAddress.merge(address, 1, Integer::sum);
    open.put(connection, address);
    try {
      threads.execute(connection);
    } catch (RejectedExecutionException e) {
      forget(connection);
      closeQuietly(socket);
    }
  }

  /** The newest connection not serving a request is the likeliest to be idle on purpose: close it to make room. */
  private boolean evictNewestBetweenRequests() {
    return open.keySet().stream()
        .sorted((a, b) -> Long.compare(b.acceptedNanos(), a.acceptedNanos()))
        .anyMatch(Http1Connection::closeIfBetweenRequests);
  }

  private void forget(Http1Connection connection) {
    InetAddress address = open.remove(connection);
    if (address == null) return;
    perAddress.computeIfPresent(address, (a, n) -> n == 1 ? null : n - 1);
    synchronized (closing) {
      closing.notifyAll();
    }
  }

  private void closeStalledWriters() {
    long stalledBefore = System.nanoTime() - options.writeTimeout().toNanos();
    for (Http1Connection c : open.keySet()) c.closeIfWriteStalledSince(stalledBefore);
  }

  /**
   * Answers a connection the server will not serve, from the accept thread: a fresh socket's
   * buffer takes the few bytes at once. Over TLS it is only closed: an answer needs a handshake,
   * which never runs on the accept thread.
   */
  private void refuse(Socket socket, ProtocolException e) {
    log.debug("refused a connection from {}: {}", socket.getRemoteSocketAddress(), e.getMessage());
    if (tls != null) {
      closeQuietly(socket);
      return;
    }
    try {
      OutputStream out = socket.getOutputStream();
      Http1Connection.refuse(out, e);
      socket.shutdownOutput();
    } catch (IOException ignored) {
      // the client left already
    }
    closeQuietly(socket);
  }

  /**
   * Stops accepting, closes connections that are between requests, lets requests in flight
   * finish for up to {@link HttpServerOptions#shutdownGrace()} (their connections close after
   * the response), then closes whatever is still open and releases the threads.
   */
  @Override
  public void close() {
    closed = true;
    closeQuietly(listener);
    draining = true;
    // The kernel keeps completing connections until the accept thread has left accept(), and a
    // socket it accepts meanwhile would miss the loops below: wait for it.
    joinQuietly(acceptor);
    for (Http1Connection c : open.keySet()) c.closeIfBetweenRequests();
    long deadline = System.nanoTime() + options.shutdownGrace().toNanos();
    synchronized (closing) {
      long left;
      while (!open.isEmpty() && (left = deadline - System.nanoTime()) > 0) {
        try {
          closing.wait(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    if (!open.isEmpty()) {
      log.info("closing {} connections still serving requests after the {} ms shutdown grace", open.size(),
          options.shutdownGrace().toMillis());
    }
    for (Http1Connection c : open.keySet()) c.closeSocket();
    watchdog.shutdownNow();
    if (tls != null) tls.close();
    // No interrupts: with their sockets closed, the connection threads end on their own.
    threads.shutdown();
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
