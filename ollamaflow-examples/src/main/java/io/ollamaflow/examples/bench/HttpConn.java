package io.ollamaflow.examples.bench;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * A minimal HTTP/1.1 keep-alive client connection for the load generator: one blocking socket,
 * TCP_NODELAY on, no allocation per response beyond what a {@link Sink} does. It understands
 * Content-Length, chunked and read-to-close bodies, and notes the {@link System#nanoTime()} at
 * which each socket read returned, so a streamed line can be stamped with its arrival time.
 */
final class HttpConn implements Closeable {
  /** Receives body bytes as they are read, with the time the read returned. */
  interface Sink {
    void data(byte[] buf, int off, int len, long arrivalNanos);
  }

  /** The parts of a response the benchmark looks at. */
  static final class Response {
    int status;
    long bodyBytes;
    long firstBodyByteNanos;
    boolean keepAlive;
  }

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final byte[] buf = new byte[64 * 1024];
  private int pos;
  private int lim;
  private long lastReadNanos;
  private final StringBuilder line = new StringBuilder(128);

  HttpConn(int port, int soTimeoutMs) throws IOException {
    this(port, soTimeoutMs, null);
  }

  /** @param tls null for plain HTTP; else TLS to "localhost", handshake done before the first request */
  HttpConn(int port, int soTimeoutMs, SSLSocketFactory tls) throws IOException {
    Socket tcp = new Socket();
    tcp.setTcpNoDelay(true);
    tcp.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
    tcp.setSoTimeout(soTimeoutMs);
    socket = tls == null ? tcp : tls.createSocket(tcp, "localhost", port, true);
    if (socket instanceof SSLSocket handshake) handshake.startHandshake();
    in = socket.getInputStream();
    out = socket.getOutputStream();
  }

  /** A complete HTTP/1.1 request (head and body) as bytes, to be sent many times. */
  static byte[] request(String method, String path, String host, String contentType, byte[] body) {
    StringBuilder head = new StringBuilder(256)
        .append(method).append(' ').append(path).append(" HTTP/1.1\r\n")
        .append("Host: ").append(host).append("\r\n")
        .append("User-Agent: ollamaflow-bench\r\n")
        .append("Accept: */*\r\n");
    if (body != null) {
      head.append("Content-Type: ").append(contentType).append("\r\n")
          .append("Content-Length: ").append(body.length).append("\r\n");
    }
    head.append("\r\n");
    byte[] h = head.toString().getBytes(StandardCharsets.US_ASCII);
    if (body == null) return h;
    byte[] all = new byte[h.length + body.length];
    System.arraycopy(h, 0, all, 0, h.length);
    System.arraycopy(body, 0, all, h.length, body.length);
    return all;
  }

  /**
   * Sends {@code request} on a new connection every 200 ms until one is answered 200, for at most
   * 60 s: a server process starting up is ready.
   *
   * @param logs where to look when it is not, for the error message
   * @throws IllegalStateException when the process exited or was not ready in time
   */
  static void awaitOk(String name, int port, byte[] request, Process process, String logs) throws InterruptedException {
    awaitOk(name, port, null, request, process, logs);
  }

  /** As {@link #awaitOk(String, int, byte[], Process, String)}, over TLS unless {@code tls} is null. */
  static void awaitOk(String name, int port, SSLSocketFactory tls, byte[] request, Process process, String logs)
      throws InterruptedException {
    String last = "";
    long limit = System.nanoTime() + 60_000_000_000L;
    while (System.nanoTime() < limit) {
      if (!process.isAlive()) throw new IllegalStateException(name + " exited with " + process.exitValue() + "; see " + logs);
      try (HttpConn c = new HttpConn(port, 5_000, tls)) {
        c.send(request);
        Response r = c.read(null, new Response());
        if (r.status == 200) return;
        last = "status " + r.status;
      } catch (IOException e) {
        last = e.toString();
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException(name + " not ready after 60 s (" + last + "); see " + logs);
  }

  void send(byte[] request) throws IOException {
    out.write(request);
    out.flush();
  }

  /** Reads one response; body bytes go to {@code sink} when it is not null. */
  Response read(Sink sink, Response r) throws IOException {
    String status = readLine();
    if (!status.startsWith("HTTP/1.")) throw new IOException("bad status line: " + status);
    r.status = Integer.parseInt(status.substring(9, 12));
    r.bodyBytes = 0;
    r.firstBodyByteNanos = 0;
    r.keepAlive = status.startsWith("HTTP/1.1");
    long contentLength = -1;
    boolean chunked = false;
    for (String h = readLine(); !h.isEmpty(); h = readLine()) {
      int colon = h.indexOf(':');
      if (colon < 0) continue;
      String name = h.substring(0, colon).trim();
      String value = h.substring(colon + 1).trim();
      if (name.equalsIgnoreCase("Content-Length")) {
        contentLength = Long.parseLong(value);
      } else if (name.equalsIgnoreCase("Transfer-Encoding")) {
        chunked = value.toLowerCase().contains("chunked");
      } else if (name.equalsIgnoreCase("Connection")) {
        if (value.equalsIgnoreCase("close")) r.keepAlive = false;
        if (value.equalsIgnoreCase("keep-alive")) r.keepAlive = true;
      }
    }
    if (chunked) {
      while (true) {
        String size = readLine();
        int semi = size.indexOf(';');
        long n = Long.parseLong((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
        if (n == 0) {
          while (!readLine().isEmpty()) { /* trailers */ }
          break;
        }
        body(n, sink, r);
        readLine();
      }
    } else if (contentLength >= 0) {
      body(contentLength, sink, r);
    } else if (r.status != 204 && r.status != 304) {
      r.keepAlive = false;
      body(Long.MAX_VALUE, sink, r);
    }
    return r;
  }

  private void body(long n, Sink sink, Response r) throws IOException {
    long left = n;
    while (left > 0) {
      if (pos == lim && !fill()) {
        if (n == Long.MAX_VALUE) return;
        throw new EOFException("connection closed inside a body");
      }
      int take = (int) Math.min(left, lim - pos);
      if (r.firstBodyByteNanos == 0) r.firstBodyByteNanos = lastReadNanos;
      if (sink != null) sink.data(buf, pos, take, lastReadNanos);
      pos += take;
      left -= take;
      r.bodyBytes += take;
    }
  }

  private boolean fill() throws IOException {
    int n = in.read(buf, 0, buf.length);
    lastReadNanos = System.nanoTime();
    if (n <= 0) return false;
    pos = 0;
    lim = n;
    return true;
  }

  private String readLine() throws IOException {
    line.setLength(0);
    while (true) {
      if (pos == lim && !fill()) throw new EOFException("connection closed");
      byte b = buf[pos++];
      if (b == '\n') {
        int len = line.length();
        if (len > 0 && line.charAt(len - 1) == '\r') line.setLength(len - 1);
        return line.toString();
      }
      line.append((char) (b & 0xff));
    }
  }

  /** Splits a streamed body into lines and hands each complete line over with its arrival time. */
  abstract static class LineSink implements Sink {
    private byte[] pending = new byte[1024];
    private int used;

    @Override
    public void data(byte[] b, int off, int len, long arrivalNanos) {
      for (int i = off; i < off + len; i++) {
        if (b[i] == '\n') {
          if (used > 0) line(pending, used, arrivalNanos);
          used = 0;
        } else {
          if (used == pending.length) pending = java.util.Arrays.copyOf(pending, used * 2);
          pending[used++] = b[i];
        }
      }
    }

    abstract void line(byte[] bytes, int len, long arrivalNanos);
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }
}
