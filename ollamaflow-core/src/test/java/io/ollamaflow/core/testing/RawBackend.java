package io.ollamaflow.core.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A backend on a raw server socket, for misbehaviour no HTTP server library produces: it reads
 * each request whole (head and Content-Length body) and lets a script answer it, or not, on the
 * bare socket. Counts the POSTs it read and the connections it accepted and closed.
 */
public final class RawBackend implements AutoCloseable {
  /** What the backend does with one request it read. */
  public interface Script {
    /** @return true to keep the connection for another request, false to close it */
    boolean answer(String method, String path, int requestOnConnection, OutputStream out) throws IOException;
  }

  /** Reads each request and closes the connection without a byte of answer. */
  public static final Script CLOSE_WITHOUT_ANSWER = (method, path, n, out) -> false;

  private final ServerSocket server;
  private final Script script;
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private final AtomicInteger posts = new AtomicInteger();
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicInteger closed = new AtomicInteger();

  public RawBackend(Script script) throws IOException {
    this.script = script;
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    threads.execute(this::accept);
  }

  public int port() {
    return server.getLocalPort();
  }

  /** POST requests read whole. */
  public int posts() {
    return posts.get();
  }

  public int connections() {
    return connections.get();
  }

  /** Connections this backend has closed (or lost). */
  public int closed() {
    return closed.get();
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket socket = server.accept();
        connections.incrementAndGet();
        threads.execute(() -> serve(socket));
      } catch (IOException closed) {
        return;
      }
    }
  }

  private void serve(Socket socket) {
    try (socket) {
      InputStream in = socket.getInputStream();
      OutputStream out = socket.getOutputStream();
      for (int n = 1; ; n++) {
        String head = readHead(in);
        if (head == null) return;
        String[] requestLine = head.substring(0, head.indexOf("\r\n")).split(" ");
        in.readNBytes(contentLength(head));
        if (requestLine[0].equals("POST")) posts.incrementAndGet();
        boolean keep = script.answer(requestLine[0], requestLine[1], n, out);
        out.flush();
        if (!keep) return;
      }
    } catch (IOException e) {
      // the proxy went away
    } finally {
      closed.incrementAndGet();
    }
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    while (matched < 4) {
      int b = in.read();
      if (b < 0) return null;
      head.write(b);
      matched = (b == '\r' && matched % 2 == 0) || (b == '\n' && matched % 2 == 1) ? matched + 1 : 0;
    }
    return head.toString(StandardCharsets.ISO_8859_1);
  }

  private static int contentLength(String head) {
    for (String line : head.split("\r\n")) {
      if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
        return Integer.parseInt(line.substring("content-length:".length()).trim());
      }
    }
    return 0;
  }

  @Override
  public void close() throws IOException {
    server.close();
    threads.shutdownNow();
  }
}
