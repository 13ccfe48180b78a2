package io.ollamaflow.core.http;

import java.time.Duration;
import java.util.Optional;

/**
 * The limits of a {@link FlowHttpServer}: how many connections it keeps, how long a client may
 * take to send a request or read an answer, and how long a shutdown waits for requests in flight.
 * Every limit exists so that a slow or hostile client cannot hold a thread, a connection or a
 * backend slot for an unbounded time. Immutable; {@link #defaults()} or {@link #builder()}.
 */
public final class HttpServerOptions {
  private final int maxConnections;
  private final int maxConnectionsPerAddress;
  private final Duration requestHeadTimeout;
  private final Duration readTimeout;
  private final long minBodyBytesPerSecond;
  private final int bufferedBodyBytes;
  private final Duration idleTimeout;
  private final Duration writeTimeout;
  private final int maxHeadBytes;
  private final Duration shutdownGrace;
  private final TlsOptions tls;
  private final AccessControl accessControl;

  private HttpServerOptions(Builder b) {
    maxConnections = b.maxConnections;
    maxConnectionsPerAddress = b.maxConnectionsPerAddress;
    requestHeadTimeout = b.requestHeadTimeout;
    readTimeout = b.readTimeout;
    minBodyBytesPerSecond = b.minBodyBytesPerSecond;
    bufferedBodyBytes = b.bufferedBodyBytes;
    idleTimeout = b.idleTimeout;
    writeTimeout = b.writeTimeout;
    maxHeadBytes = b.maxHeadBytes;
    shutdownGrace = b.shutdownGrace;
    tls = b.tls;
    accessControl = b.accessControl;
  }

  public static HttpServerOptions defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Open connections at most; when full, the newest connection between requests (waiting for
   * one, or still reading its head or small body) is closed, else the new one refused (503).
   */
  public int maxConnections() {
    return maxConnections;
  }

  /** Open connections from one client IP address at most; beyond, new ones are refused (429). */
  public int maxConnectionsPerAddress() {
    return maxConnectionsPerAddress;
  }

  /** Time from a request's first byte (or a new connection) to the end of its head; beyond, 408 and close. */
  public Duration requestHeadTimeout() {
    return requestHeadTimeout;
  }

  /**
   * Longest wait for the next bytes of a request body (beyond, 408 and close), and for a new
   * connection's first byte or TLS handshake message when shorter than the head timeout (beyond,
   * closed silently).
   */
  public Duration readTimeout() {
    return readTimeout;
  }

  /**
   * Slowest average rate a request body may arrive at, measured from its start after a
   * {@link #readTimeout()} of grace; slower, 408 and close. So a client sending a byte just
   * before each read timeout still cannot hold its request open for long.
   */
  public long minBodyBytesPerSecond() {
    return minBodyBytesPerSecond;
  }

  /**
   * Bodies up to this size are read whole before the request is handled, so a slow upload of a
   * small body never holds a backend slot; larger bodies stream, bounded by the read timeout and
   * the minimum rate.
   */
  public int bufferedBodyBytes() {
    return bufferedBodyBytes;
  }

  /** How long a kept-alive connection may wait for its next request before it is closed. */
  public Duration idleTimeout() {
    return idleTimeout;
  }

  /** Longest a write to a client may stay blocked (the client reads nothing); beyond, the connection is closed. */
  public Duration writeTimeout() {
    return writeTimeout;
  }

  /** Request line plus headers, in bytes, at most; beyond, 431. */
  public int maxHeadBytes() {
    return maxHeadBytes;
  }

  /** On {@link FlowHttpServer#close()}: how long requests in flight may take to finish before their connections are closed. */
  public Duration shutdownGrace() {
    return shutdownGrace;
  }

  /** TLS on every connection, or empty for plain HTTP (the default). */
  public Optional<TlsOptions> tls() {
    return Optional.ofNullable(tls);
  }

  /** Which client addresses are served; {@link AccessControl#permitAll()} by default. */
  public AccessControl accessControl() {
    return accessControl;
  }

  /** Defaults: plain HTTP, every address permitted, 10,000 connections, 1,000 per address, 10 s head, 10 s read, 1 KB/s, 64 KB buffered, 60 s idle, 30 s write, 64 KB head, 10 s grace. */
  public static final class Builder {
    private int maxConnections = 10_000;
    private int maxConnectionsPerAddress = 1_000;
    private Duration requestHeadTimeout = Duration.ofSeconds(10);
    private Duration readTimeout = Duration.ofSeconds(10);
    private long minBodyBytesPerSecond = 1024;
    private int bufferedBodyBytes = 64 * 1024;
    private Duration idleTimeout = Duration.ofSeconds(60);
    private Duration writeTimeout = Duration.ofSeconds(30);
    private int maxHeadBytes = 64 * 1024;
    private Duration shutdownGrace = Duration.ofSeconds(10);
    private TlsOptions tls;
    private AccessControl accessControl = AccessControl.permitAll();

    private Builder() {}

    public Builder maxConnections(int value) {
      maxConnections = atLeast(1, value, "maxConnections");
      return this;
    }

    public Builder maxConnectionsPerAddress(int value) {
      maxConnectionsPerAddress = atLeast(1, value, "maxConnectionsPerAddress");
      return this;
    }

    public Builder requestHeadTimeout(Duration value) {
      requestHeadTimeout = positive(value, "requestHeadTimeout");
      return this;
    }

    public Builder readTimeout(Duration value) {
      readTimeout = positive(value, "readTimeout");
      return this;
    }

    /** 0 turns the rate check off (the read timeout still applies). */
    public Builder minBodyBytesPerSecond(long value) {
      if (value < 0) throw new IllegalArgumentException("minBodyBytesPerSecond: " + value + " (expected: >= 0)");
      minBodyBytesPerSecond = value;
      return this;
    }

    /** 0 streams every body. */
    public Builder bufferedBodyBytes(int value) {
      bufferedBodyBytes = atLeast(0, value, "bufferedBodyBytes");
      return this;
    }

    public Builder idleTimeout(Duration value) {
      idleTimeout = positive(value, "idleTimeout");
      return this;
    }

    public Builder writeTimeout(Duration value) {
      writeTimeout = positive(value, "writeTimeout");
      return this;
    }

    public Builder maxHeadBytes(int value) {
      maxHeadBytes = atLeast(256, value, "maxHeadBytes");
      return this;
    }

    /** Zero closes open connections at once. */
    public Builder shutdownGrace(Duration value) {
      if (value == null || value.isNegative()) throw new IllegalArgumentException("shutdownGrace: " + value + " (expected: >= 0)");
      shutdownGrace = value;
      return this;
    }

    /** Serves TLS: a client's handshake runs on its connection's thread, within the {@link #requestHeadTimeout}. */
    public Builder tls(TlsOptions value) {
      if (value == null) throw new IllegalArgumentException("tls: null (leave it unset for plain HTTP)");
      tls = value;
      return this;
    }

    public Builder accessControl(AccessControl value) {
      if (value == null) throw new IllegalArgumentException("accessControl: null (expected: AccessControl.permitAll() or a built one)");
      accessControl = value;
      return this;
    }

    public HttpServerOptions build() {
      return new HttpServerOptions(this);
    }

    private static int atLeast(int min, int value, String name) {
      if (value < min) throw new IllegalArgumentException(name + ": " + value + " (expected: >= " + min + ")");
      return value;
    }

    private static Duration positive(Duration value, String name) {
      if (value == null || value.isZero() || value.isNegative() || value.toMillis() > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(name + ": " + value + " (expected: between 1 ms and 24 days)");
      }
      return value;
    }
  }
}
