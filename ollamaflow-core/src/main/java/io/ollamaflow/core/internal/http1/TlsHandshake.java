package io.ollamaflow.core.internal.http1;

import io.ollamaflow.core.http.TlsOptions;
import io.ollamaflow.core.internal.Threads;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens TLS on an accepted connection, on the connection's own thread (a slow client delays only
 * itself, never the accept loop), within a deadline for the whole handshake: each read is bounded
 * by a timeout, and a watchdog closes the connection when the deadline passes, so a client
 * trickling its handshake a byte at a time cannot hold the connection longer.
 *
 * <p>Every {@link TlsOptions#reloadInterval()} it checks the key and certificate files, and new
 * connections are served from the new ones once they changed and pass the checks; when they fail
 * them (a key replaced before its certificate), the old ones go on serving and the failure is
 * logged, once for each different failure.
 */
final class TlsHandshake {
  private static final Logger log = LoggerFactory.getLogger(TlsHandshake.class);

  /** The first byte of every TLS connection: a handshake record. No HTTP request starts with it. */
  static final int HANDSHAKE_RECORD = 0x16;

  /** What new connections are served with; replaced whole by a reload. */
  private record Serving(TlsOptions options, SSLSocketFactory factory, SSLParameters parameters) {
    static Serving of(TlsOptions options) {
      return new Serving(options, options.sslContext().getSocketFactory(), options.parameters());
    }
  }

  private final ScheduledExecutorService watchdog;
  /**
   * Its own thread: reading the files (a slow network disk, say) must never delay the watchdog's
   * handshake deadlines and stalled-writer closing. Null when the files are not checked.
   */
  private final ScheduledExecutorService reloader;
  private volatile Serving serving;
  /** The last reload failure logged, so a file left broken is reported once, not at every check. */
  private String lastFailure;

  TlsHandshake(TlsOptions tls, ScheduledExecutorService watchdog) {
    this.serving = Serving.of(tls);
    this.watchdog = watchdog;
    long every = tls.reloadInterval().toMillis();
    reloader = every > 0 ? Executors.newSingleThreadScheduledExecutor(Threads.daemons("ollamaflow-tls-reload")) : null;
    if (reloader != null) reloader.scheduleWithFixedDelay(this::reload, every, every, TimeUnit.MILLISECONDS);
  }

  /** Stops checking the files. */
  void close() {
    if (reloader != null) reloader.shutdownNow();
  }

  /** Reads the files again if they changed; runs on the reloader's thread. */
  void reload() {
    TlsOptions current = serving.options();
    try {
      TlsOptions next = current.reloadedIfChanged();
      lastFailure = null;
      if (next == current) return;
      serving = Serving.of(next);
      log.info("TLS: serving new connections with the renewed certificate {} (until {})", next.certificateSubject(),
          next.certificateNotAfter());
    } catch (RuntimeException e) {
      String why = String.valueOf(e.getMessage());
      if (!why.equals(lastFailure)) {
        log.warn("TLS: the changed certificate files are not used, the previous certificate goes on serving: {}", why);
      }
      lastFailure = why;
    }
  }

  /**
   * The connection as a TLS socket with its handshake done.
   *
   * @param readTimeoutMs the longest wait for any one read
   * @param deadlineNanos when the handshake must be done ({@link System#nanoTime()} scale)
   * @throws ProtocolException (400) when the client spoke something other than TLS, plain HTTP say
   * @throws SocketTimeoutException when the handshake did not finish in time
   * @throws IOException when the client left or the handshake failed (no common protocol, no
   *     client certificate where one is required, ...)
   */
  SSLSocket open(Socket tcp, int readTimeoutMs, long deadlineNanos) throws IOException {
    tcp.setSoTimeout(timeoutMs(readTimeoutMs, deadlineNanos));
    int first = tcp.getInputStream().read();
    if (first < 0) throw new EOFException("the client closed the connection before the TLS handshake");
    if (first != HANDSHAKE_RECORD) {
      throw new ProtocolException(400, "this port speaks HTTPS (TLS): connect with https://");
    }
    Serving now = serving;
    SSLSocket tls = (SSLSocket) now.factory().createSocket(tcp, new ByteArrayInputStream(new byte[] {(byte) first}), true);
    tls.setSSLParameters(now.parameters());
    long leftMs = timeoutMs(Long.MAX_VALUE, deadlineNanos);
    ScheduledFuture<?> cut = watchdog.schedule(() -> closeQuietly(tcp), leftMs, TimeUnit.MILLISECONDS);
    try {
      tls.setSoTimeout(timeoutMs(readTimeoutMs, deadlineNanos));
      tls.startHandshake();
    } catch (IOException e) {
      if (cut.isDone()) throw new SocketTimeoutException("the TLS handshake did not finish in time");
      throw e;
    } finally {
      cut.cancel(false);
    }
    return tls;
  }

  /** The read timeout, shortened to what is left before the deadline; at least 1 ms (0 would mean forever). */
  private static int timeoutMs(long readTimeoutMs, long deadlineNanos) throws SocketTimeoutException {
    long left = deadlineNanos - System.nanoTime();
    if (left <= 0) throw new SocketTimeoutException("no time left for the TLS handshake");
    return (int) Math.max(1, Math.min(readTimeoutMs, (left + 999_999) / 1_000_000));
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closed anyway
    }
  }
}
