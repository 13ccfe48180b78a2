package io.ollamaflow.core.testing;

import io.ollamaflow.api.Backend;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A backend on a raw server socket, for misbehaviour no HTTP server library produces: it reads
 * each request whole (head and Content-Length body) and lets a script answer it, or not, on the
 * bare socket. Counts the POSTs it read and the connections it accepted and closed, and keeps
 * the SHA-256 of each POST body.
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
  private final List<String> postBodies = new CopyOnWriteArrayList<>();

  public RawBackend(Script script) throws IOException {
    this.script = script;
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    threads.execute(this::accept);
  }

  public int port() {
    return server.getLocalPort();
  }

  /** This backend's configuration, never marked unhealthy by its failures (they are the scenario). */
  public Backend backend(String id) {
    return Backend.builder(id).hostname("127.0.0.1").port(port()).unhealthyThreshold(1000).build();
  }

  /** POST requests read whole. */
  public int posts() {
    return posts.get();
  }

  /** The SHA-256 (hex) of each POST body read whole, in order. */
  public List<String> postBodyDigests() {
    return List.copyOf(postBodies);
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
        byte[] body = in.readNBytes(contentLength(head));
        if (requestLine[0].equals("POST")) {
          postBodies.add(sha256(body));
          posts.incrementAndGet();
        }
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

  /** Writes a whole JSON answer with {@code status} and Content-Length on the bare socket. */
  public static void answer(OutputStream out, int status, String json) throws IOException {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    out.write(("HTTP/1.1 " + status + " X\r\nContent-Type: application/json\r\nContent-Length: " + body.length
        + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
    out.write(body);
  }

  /** The SHA-256 of {@code bytes} in hex. */
  public static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
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
