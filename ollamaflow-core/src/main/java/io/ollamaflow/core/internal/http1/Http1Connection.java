package io.ollamaflow.core.internal.http1;

import io.ollamaflow.api.ApiFormat;
import io.ollamaflow.api.LogSafe;
import io.ollamaflow.core.http.FlowHttpHandler;
import io.ollamaflow.core.internal.proxy.ErrorResponses;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection, served on its own thread: requests are read and answered one after
 * another (pipelined requests wait their turn in the input buffer) until the client closes, a
 * response must end the connection, or the connection stays idle longer than the idle timeout.
 */
final class Http1Connection implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(Http1Connection.class);
  private static final long LINGER_NANOS = 2_000_000_000L;
  private static final byte[] CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

  private final Socket socket;
  private final FlowHttpHandler handler;
  private final Runnable onClose;

  Http1Connection(Socket socket, FlowHttpHandler handler, Runnable onClose) {
    this.socket = socket;
    this.handler = handler;
    this.onClose = onClose;
  }

  @Override
  public void run() {
    try (socket) {
      ConnectionInput in = new ConnectionInput(socket.getInputStream());
      OutputStream raw = socket.getOutputStream();
      String remote = socket.getInetAddress().getHostAddress();
      // One response buffer per connection: thousands of open streams each hold one.
      byte[] responseBuffer = new byte[ResponseOutput.BUFFER_SIZE];
      while (serveOne(in, raw, responseBuffer, remote)) {
        // next request on the same connection
      }
    } catch (IOException e) {
      log.debug("connection from {} ended: {}", socket.getRemoteSocketAddress(), e.toString());
    } finally {
      onClose.run();
    }
  }

  /** Serves the next request; false when the connection must close. */
  private boolean serveOne(ConnectionInput in, OutputStream raw, byte[] responseBuffer, String remote) throws IOException {
    RequestHead head;
    try {
      head = RequestHead.read(in);
    } catch (ProtocolException e) {
      refuse(raw, e);
      return false;
    }
    if (head == null) return false;
    boolean expectContinue = !head.http10 && head.bodyLength != 0 && head.lists("Expect", "100-continue");
    ResponseOutput out = new ResponseOutput(raw, responseBuffer);
    RequestBody body = new RequestBody(in, head.bodyLength, expectContinue ? () -> sendContinue(raw, out) : null);
    Http1Exchange exchange = new Http1Exchange(head, body, out, remote, expectContinue);
    try {
      handler.handle(exchange);
    } catch (RuntimeException e) {
      log.error("handler failed on {} {}", head.method, LogSafe.of(head.rawPath), e);
      if (!exchange.started()) refuse(raw, new ProtocolException(500, "internal error"));
      return false;
    } catch (IOException e) {
      // A handler may let the body's framing error propagate: the client still learns what was wrong.
      if (!exchange.started() && body.malformed() != null) refuse(raw, body.malformed());
      throw e;
    }
    if (!exchange.started()) {
      // The handler gave up without answering: the client sent a broken body, or left.
      refuse(raw, body.malformed() != null ? body.malformed() : new ProtocolException(500, "no response was produced"));
      return false;
    }
    out.finish();
    boolean keepOpen = out.complete() && !exchange.closeAfter()
        && (body.finished() || body.drain(Http1Exchange.DRAIN_LIMIT));
    if (!keepOpen && !body.finished() && (!expectContinue || body.started())) lingerUntilClientStopsSending();
    return keepOpen;
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
  private static void refuse(OutputStream raw, ProtocolException e) {
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
