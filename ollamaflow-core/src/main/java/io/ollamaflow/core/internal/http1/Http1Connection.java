package io.ollamaflow.core.internal.http1;

import io.ollamaflow.api.ApiFormat;
import io.ollamaflow.api.LogSafe;
import io.ollamaflow.core.http.FlowHttpHandler;
import io.ollamaflow.core.http.HttpServerOptions;
import io.ollamaflow.core.internal.proxy.ErrorResponses;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection, served on its own thread: requests are read and answered one after
 * another (pipelined requests wait their turn in the input buffer) until the client closes, a
 * response must end the connection, the connection stays idle longer than the idle timeout, or
 * the server closes it (it was evicted to make room, a write stalled, or the server is draining).
 */
final class Http1Connection implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(Http1Connection.class);
  private static final long LINGER_NANOS = 2_000_000_000L;
  private static final byte[] CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

  /** Where the connection is between requests; the server may close it only when not {@link #ACTIVE}. */
  private static final int WAITING = 0;
  private static final int READING_REQUEST = 1;
  private static final int ACTIVE = 2;
  private static final int CLOSED = 3;

  /** The accepted TCP connection; closing it ends the connection whatever runs on it. */
  private final Socket tcp;
  /** Null for plain HTTP. */
  private final TlsHandshake tls;
  /** What requests are read from and answered on: {@link #tcp}, or TLS over it once the handshake is done. */
  private Socket socket;
  private final FlowHttpHandler handler;
  private final HttpServerOptions options;
  private final BooleanSupplier draining;
  private final Consumer<Http1Connection> onClose;
  private final long acceptedNanos = System.nanoTime();
  private final AtomicInteger state = new AtomicInteger(WAITING);
  /** The socket's output; null until TLS is open. */
  private volatile WatchedOutput raw;

  /** @param tls null for plain HTTP */
  Http1Connection(Socket tcp, TlsHandshake tls, FlowHttpHandler handler, HttpServerOptions options,
      BooleanSupplier draining, Consumer<Http1Connection> onClose) {
    this.tcp = tcp;
    this.tls = tls;
    this.socket = tcp;
    this.handler = handler;
    this.options = options;
    this.draining = draining;
    this.onClose = onClose;
  }

  @Override
  public void run() {
    try (tcp) {
      if (!openTls()) return;
      raw = new WatchedOutput(socket.getOutputStream());
      ConnectionInput in = new ConnectionInput(socket, (int) options.readTimeout().toMillis());
      String remote = socket.getInetAddress().getHostAddress();
      // One response buffer per connection: thousands of open streams each hold one.
      byte[] responseBuffer = new byte[ResponseOutput.BUFFER_SIZE];
      boolean first = true;
      while (serveOne(in, responseBuffer, remote, first)) {
        first = false;
      }
      if (socket != tcp) socket.close();
    } catch (IOException e) {
      log.debug("connection from {} ended: {}", tcp.getRemoteSocketAddress(), e.toString());
    } finally {
      state.set(CLOSED);
      onClose.accept(this);
    }
  }

  /**
   * Runs the TLS handshake when the server speaks TLS, within the head timeout counted from the
   * accept; false when the connection must close (refused, timed out, or the handshake failed).
   */
  private boolean openTls() throws IOException {
    if (tls == null) return true;
    try {
      socket = tls.open(tcp, firstByteTimeoutMs(), acceptedNanos + options.requestHeadTimeout().toNanos());
      return true;
    } catch (ProtocolException plainHttp) {
      refuse(tcp.getOutputStream(), plainHttp);
      lingerUntilClientStopsSending();
      return false;
    } catch (IOException e) {
      log.debug("TLS handshake with {} failed: {}", tcp.getRemoteSocketAddress(), e.toString());
      return false;
    }
  }

  /** The longest wait for a new connection's first bytes: the read timeout, unless the head timeout is shorter. */
  private int firstByteTimeoutMs() {
    return (int) Math.min(options.readTimeout().toMillis(), options.requestHeadTimeout().toMillis());
  }

  /**
   * Closes the connection if it is between requests (waiting for one, or reading its head or
   * small body): nothing reached the handler yet. False when a request is being served.
   */
  boolean closeIfBetweenRequests() {
    if (!state.compareAndSet(WAITING, CLOSED) && !state.compareAndSet(READING_REQUEST, CLOSED)) return false;
    closeSocket();
    return true;
  }

  /** Closes the connection if a write to the client has been blocked since before {@code stalledBefore}. */
  boolean closeIfWriteStalledSince(long stalledBefore) {
    WatchedOutput out = raw;
    if (out == null) return false;
    long since = out.blockedSince();
    if (since == WatchedOutput.NOT_WRITING || since - stalledBefore > 0) return false;
    log.debug("closing the connection from {}: a write to it made no progress for {} ms",
        tcp.getRemoteSocketAddress(), options.writeTimeout().toMillis());
    closeSocket();
    return true;
  }

  void closeSocket() {
    try {
      // The TCP socket, not the TLS one: closing TLS sends an alert, which would wait behind a stalled write.
      tcp.close();
    } catch (IOException ignored) {
      // closed anyway
    }
  }

  /** Whether the connection is between requests: waiting for one, or reading its head or small body. */
  boolean betweenRequests() {
    int now = state.get();
    return now == WAITING || now == READING_REQUEST;
  }

  /** When the connection was accepted ({@link System#nanoTime()}): the newest are evicted first. */
  long acceptedNanos() {
    return acceptedNanos;
  }

  /** Serves the next request; false when the connection must close. */
  private boolean serveOne(ConnectionInput in, byte[] responseBuffer, String remote, boolean first) throws IOException {
    int headTimeoutMs = (int) options.requestHeadTimeout().toMillis();
    state.set(WAITING);
    if (draining.getAsBoolean()) return false;
    long headDeadline;
    try {
      // A new connection gets the head timeout from its accept, a kept-alive one the idle timeout.
      int wait = first ? Math.min(firstByteTimeoutMs(), remainingMs(acceptedNanos + headTimeoutMs * 1_000_000L))
          : (int) options.idleTimeout().toMillis();
      if (wait <= 0 || !in.awaitRequest(wait)) return false;
      if (first && tls == null && in.peek() == TlsHandshake.HANDSHAKE_RECORD) {
        // A TLS client on a plain port: refused at once rather than left waiting for a head that never comes.
        refuse(raw, new ProtocolException(400, "this port speaks plain HTTP, not TLS: connect with http://"));
        return false;
      }
      headDeadline = first ? acceptedNanos + headTimeoutMs * 1_000_000L : System.nanoTime() + headTimeoutMs * 1_000_000L;
    } catch (SocketTimeoutException idle) {
      return false;
    }
    if (!state.compareAndSet(WAITING, READING_REQUEST)) return false;
    RequestHead head;
    try {
      in.limits(headTimeoutMs, headDeadline);
      head = RequestHead.read(in, options.maxHeadBytes());
    } catch (ProtocolException e) {
      refuseAndLinger(e);
      return false;
    } catch (SocketTimeoutException e) {
      refuseAndLinger(new ProtocolException(408, "the request head did not arrive within " + headTimeoutMs + " ms"));
      return false;
    }
    if (head == null) return false;
    boolean expectContinue = !head.http10 && head.bodyLength != 0 && head.lists("Expect", "100-continue");
    ResponseOutput out = new ResponseOutput(raw, responseBuffer);
    RequestBody body = new RequestBody(in, head.bodyLength, expectContinue ? () -> sendContinue(raw, out) : null, options);
    if (!expectContinue && head.bodyLength != 0 && (head.bodyLength <= options.bufferedBodyBytes()
        || head.bodyLength == RequestHead.CHUNKED)) {
      // A small body arrives whole before the handler takes a backend slot for it.
      try {
        body.readAhead(options.bufferedBodyBytes());
      } catch (ProtocolException e) {
        refuseAndLinger(e);
        return false;
      }
    }
    // From here the handler may take resources (a backend slot): the server no longer closes the connection on its own.
    if (!state.compareAndSet(READING_REQUEST, ACTIVE)) return false;
    Http1Exchange exchange = new Http1Exchange(head, body, out, remote, expectContinue, draining);
    try {
      handler.handle(exchange);
    } catch (RuntimeException e) {
      log.error("handler failed on {} {}", head.method, LogSafe.of(head.rawPath), e);
      if (!exchange.started()) refuse(raw, new ProtocolException(500, "internal error"));
      return false;
    } catch (IOException e) {
      // A handler may let the body's framing error propagate: the client still learns what was wrong.
      if (!exchange.started() && body.malformed() != null) refuseAndLinger(body.malformed());
      throw e;
    }
    if (!exchange.started()) {
      // The handler gave up without answering: the client sent a broken body, was too slow, or left.
      refuseAndLinger(body.malformed() != null ? body.malformed() : new ProtocolException(500, "no response was produced"));
      return false;
    }
    out.finish();
    boolean keepOpen = out.complete() && !exchange.closeAfter()
        && (body.finished() || body.drain(Http1Exchange.DRAIN_LIMIT));
    if (!keepOpen && !body.finished() && (!expectContinue || body.started())) lingerUntilClientStopsSending();
    return keepOpen && !draining.getAsBoolean();
  }

  private static int remainingMs(long deadlineNanos) {
    return (int) Math.max(0, (deadlineNanos - System.nanoTime()) / 1_000_000);
  }

  private void refuseAndLinger(ProtocolException e) {
    refuse(raw, e);
    lingerUntilClientStopsSending();
  }

  /**
   * Closing a socket with unread input makes the kernel reset the connection, and a reset can
   * destroy an answer (a 413, say) before a client still uploading has read it. So stop sending,
   * then read and drop what the client keeps sending, for a bounded time, before closing.
   */
  private void lingerUntilClientStopsSending() {
    long deadline = System.nanoTime() + LINGER_NANOS;
    try {
      socket.shutdownOutput();
      socket.setSoTimeout((int) (LINGER_NANOS / 1_000_000));
      InputStream in = socket.getInputStream();
      byte[] skip = new byte[8192];
      while (System.nanoTime() - deadline < 0 && in.read(skip) >= 0) {
        // dropped
      }
    } catch (IOException e) {
      // The client stopped or left: nothing more to wait for.
    }
  }

  private static void sendContinue(OutputStream raw, ResponseOutput out) {
    // Once the final response has begun, a 100 would land inside it.
    if (out.begun()) return;
    try {
      raw.write(CONTINUE);
      raw.flush();
    } catch (IOException e) {
      // The body read that follows fails the same way and reports it.
    }
  }

  /** Answers a request that cannot be served, in Ollama's error shape, and closes the connection. */
  static void refuse(OutputStream raw, ProtocolException e) {
    byte[] body = ErrorResponses.body(ApiFormat.OLLAMA, e.status(), e.getMessage());
    String head = "HTTP/1.1 " + e.status() + " " + ReasonPhrases.of(e.status()) + "\r\nContent-Type: application/json"
        + "\r\nContent-Length: " + body.length + "\r\nConnection: close\r\n\r\n";
    try {
      raw.write(head.getBytes(StandardCharsets.US_ASCII));
      raw.write(body);
      raw.flush();
    } catch (IOException gone) {
      // Nobody left to tell.
    }
  }
}
