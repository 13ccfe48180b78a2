package io.ollamaflow.core.internal;

import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import okhttp3.Connection;
import okhttp3.Interceptor;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster's backend client: OkHttp's own resending is off, because it resends a request
 * whose connection failed even after the request was written whole (a duplicate generation
 * when the backend had started it), below the proxy's retry policy and regardless of
 * {@code AllowRetries}. What that setting protected against, a pooled connection that the
 * backend closed while it was idle, is caught here before anything is written: a reused HTTP/1.1
 * connection idle for a while is probed for end-of-stream, closed if the backend left, and the
 * request goes out on another connection. Nothing of it had reached the backend, so this
 * resend can never make the backend do the work twice; it is counted and logged.
 */
public final class BackendClients {
  private static final Logger log = LoggerFactory.getLogger(BackendClients.class);
  /** A connection used within this long is not probed (the probe costs up to a millisecond). */
  public static final long DEFAULT_PROBE_AFTER_IDLE_NANOS = 1_000_000_000L;
  /** Pooled connections a request may find closed in a row before it gives up. */
  private static final int MAX_STALE_IN_A_ROW = 4;
  /** Entries kept before the closed connections are swept out of {@link #lastUse}. */
  private static final int SWEEP_FLOOR = 256;

  private final LongSupplier nanoTime;
  private final long probeAfterIdleNanos;
  /**
   * When each pooled connection last started a request. Concurrent, not a synchronized weak map:
   * every request to every backend passes here, and one lock made them queue for each other.
   * Connections the pool closed are swept out once the map has doubled since the last sweep.
   */
  private final Map<Connection, Long> lastUse = new ConcurrentHashMap<>();
  private final AtomicInteger sweepAt = new AtomicInteger(SWEEP_FLOOR);
  private final AtomicLong staleConnections = new AtomicLong();

  public BackendClients(LongSupplier nanoTime, long probeAfterIdleNanos) {
    this.nanoTime = nanoTime;
    this.probeAfterIdleNanos = probeAfterIdleNanos;
  }

  /** A client sharing {@code client}'s pool and dispatcher that never resends on its own. */
  public OkHttpClient guard(OkHttpClient client) {
    return client.newBuilder()
        .retryOnConnectionFailure(false)
        .addInterceptor(this::resendPastStaleConnections)
        .addNetworkInterceptor(this::refuseStaleConnection)
        .build();
  }

  /** Pooled connections found closed by their backend before a request was written on them. */
  public long staleConnections() {
    return staleConnections.get();
  }

  /** Connections whose last use is remembered: those open, and those closed since the last sweep. */
  int rememberedConnections() {
    return lastUse.size();
  }

  private Response resendPastStaleConnections(Interceptor.Chain chain) throws IOException {
    for (int stale = 0; ; stale++) {
      try {
        return chain.proceed(chain.request());
      } catch (StaleConnectionException e) {
        staleConnections.incrementAndGet();
        log.debug("{} {}: pooled connection closed by the backend; sent on another connection (nothing was written)",
            chain.request().method(), chain.request().url().host());
        if (stale + 1 >= MAX_STALE_IN_A_ROW) throw e;
      }
    }
  }

  private Response refuseStaleConnection(Interceptor.Chain chain) throws IOException {
    Connection connection = chain.connection();
    long now = nanoTime.getAsLong();
    if (connection != null) {
      Long previous = lastUse.put(connection, now);
      if (previous == null) sweepClosedConnections();
      if (previous != null && now - previous >= probeAfterIdleNanos && connection.protocol() == Protocol.HTTP_1_1
          && closedByPeer(connection.socket())) {
        throw new StaleConnectionException();
      }
    }
    return chain.proceed(chain.request());
  }

  private void sweepClosedConnections() {
    int at = sweepAt.get();
    if (lastUse.size() < at || !sweepAt.compareAndSet(at, Integer.MAX_VALUE)) return;
    try {
      lastUse.keySet().removeIf(c -> c.socket().isClosed());
    } finally {
      sweepAt.set(Math.max(SWEEP_FLOOR, 2 * lastUse.size()));
    }
  }

  /**
   * Whether an idle connection's backend has left: a read that does not time out at once finds
   * the end of the stream, or bytes no request asked for. Either way the connection is closed.
   */
  private static boolean closedByPeer(Socket socket) {
    int timeout;
    try {
      timeout = socket.getSoTimeout();
    } catch (IOException e) {
      return true;
    }
    try {
      socket.setSoTimeout(1);
      socket.getInputStream().read();
    } catch (SocketTimeoutException healthy) {
      try {
        socket.setSoTimeout(timeout);
        return false;
      } catch (IOException e) {
        // fall through: unusable
      }
    } catch (IOException e) {
      // reset or closed
    }
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing is all that was wanted
    }
    return true;
  }

  /** A reused connection turned out closed before anything of the request was written on it. */
  private static final class StaleConnectionException extends IOException {
    StaleConnectionException() {
      super("pooled connection was closed by the backend");
    }
  }
}
