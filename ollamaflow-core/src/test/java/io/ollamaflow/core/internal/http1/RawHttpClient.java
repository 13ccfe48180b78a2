package io.ollamaflow.core.internal.http1;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A client that speaks HTTP/1.1 by hand over one socket: requests go out as the exact bytes given,
 * responses are parsed strictly from the wire (CRLF line endings, Content-Length or chunked
 * framing), so a test sees what a real client would. Every read times out.
 */
final class RawHttpClient implements AutoCloseable {
  static final int TIMEOUT_MS = 5_000;

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  RawHttpClient(InetSocketAddress server) throws IOException {
    this(server, null, 0);
  }

  /**
   * @param from the local address to connect from (another loopback address such as 127.0.0.2
   *     is another client to the server); null for any
   * @param receiveBuffer the socket's receive buffer in bytes, so a client that stops reading
   *     stalls the server quickly; 0 for the default
   */
  RawHttpClient(InetSocketAddress server, InetAddress from, int receiveBuffer) throws IOException {
    socket = new Socket();
    if (receiveBuffer > 0) socket.setReceiveBufferSize(receiveBuffer);
    if (from != null) socket.bind(new InetSocketAddress(from, 0));
    socket.connect(server, TIMEOUT_MS);
    socket.setSoTimeout(TIMEOUT_MS);
    in = new BufferedInputStream(socket.getInputStream());
    out = socket.getOutputStream();
  }

  Socket socket() {
    return socket;
  }

  /** Writes {@code text} (ISO-8859-1) in one write. */
  RawHttpClient send(String text) throws IOException {
    return send(text.getBytes(StandardCharsets.ISO_8859_1));
  }

  RawHttpClient send(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
    return this;
  }

  /** The next response to a request that is not HEAD. */
  Response response() throws IOException {
    return response(false);
  }

  /** The next response; {@code toHead} when it answers a HEAD request and so has no body. */
  Response response(boolean toHead) throws IOException {
    Response head = head();
    if (toHead || head.status() == 204 || head.status() == 304) return head;
    if ("chunked".equalsIgnoreCase(head.header("Transfer-Encoding"))) {
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      List<Integer> sizes = new ArrayList<>();
      for (byte[] chunk = chunk(); chunk.length > 0; chunk = chunk()) {
        sizes.add(chunk.length);
        body.write(chunk);
      }
      return head.withBody(body.toByteArray(), sizes);
    }
    String length = head.header("Content-Length");
    if (length != null) return head.withBody(in.readNBytes(Integer.parseInt(length)), List.of());
    return head.withBody(in.readAllBytes(), List.of()); // delimited by the end of the connection
  }

  /** The status line and headers of the next response, up to and including the blank line. */
  Response head() throws IOException {
    String statusLine = line();
    assertThat(statusLine).as("status line").matches("HTTP/1\\.1 [1-9]\\d\\d .*");
    List<String> headers = new ArrayList<>();
    for (String line = line(); !line.isEmpty(); line = line()) headers.add(line);
    return new Response(statusLine, headers, new byte[0], List.of());
  }

  /** One chunk of a chunked body: its data, or no bytes for the last chunk (and its empty trailer section). */
  byte[] chunk() throws IOException {
    String sizeLine = line();
    assertThat(sizeLine).as("chunk size line").matches("[0-9a-f]+");
    int size = Integer.parseInt(sizeLine, 16);
    if (size == 0) {
      assertThat(line()).as("end of the chunked body (no trailers)").isEmpty();
      return new byte[0];
    }
    byte[] data = in.readNBytes(size);
    if (data.length < size) throw new EOFException("connection ended inside a chunk");
    assertThat(line()).as("CRLF after chunk data").isEmpty();
    return data;
  }

  /** One line, which must end with CRLF; the CRLF is not returned. */
  String line() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) != '\n') {
      if (c < 0) throw new EOFException("connection ended after '" + line.toString(StandardCharsets.ISO_8859_1) + "'");
      line.write(c);
    }
    String text = line.toString(StandardCharsets.ISO_8859_1);
    assertThat(text).as("line ending of '%s'", text).endsWith("\r");
    return text.substring(0, text.length() - 1);
  }

  /** Asserts that the server closed the connection: end of stream, or a reset. */
  void assertClosedByServer() throws IOException {
    try {
      int next = in.read();
      assertThat(next).as("byte after the last response, where the server should have closed").isEqualTo(-1);
    } catch (SocketTimeoutException e) {
      fail("the server kept the connection open");
    } catch (IOException reset) {
      // Closed with unread input on the server side: a reset is a close too.
    }
  }

  /** Asserts that no byte arrives within {@code wait}. */
  void assertNothingArrivesWithin(Duration wait) throws IOException {
    socket.setSoTimeout((int) wait.toMillis());
    try {
      int next = in.read();
      fail("expected silence, got " + (next < 0 ? "end of stream" : "'" + (char) next + "'"));
    } catch (SocketTimeoutException expected) {
      // nothing was sent
    } finally {
      socket.setSoTimeout(TIMEOUT_MS);
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }

  /** A response as it came over the wire. */
  record Response(String statusLine, List<String> headerLines, byte[] body, List<Integer> chunkSizes) {
    int status() {
      return Integer.parseInt(statusLine.substring(9, 12));
    }

    /** The first value of a header, by case-insensitive name; null if absent. */
    String header(String name) {
      List<String> values = headers(name);
      return values.isEmpty() ? null : values.get(0);
    }

    /** Every value of a header, by case-insensitive name. */
    List<String> headers(String name) {
      List<String> values = new ArrayList<>();
      for (String line : headerLines) {
        int colon = line.indexOf(':');
        if (line.substring(0, colon).equalsIgnoreCase(name)) values.add(line.substring(colon + 1).strip());
      }
      return values;
    }

    String bodyText() {
      return new String(body, StandardCharsets.UTF_8);
    }

    Response withBody(byte[] bytes, List<Integer> sizes) {
      return new Response(statusLine, headerLines, bytes, sizes);
    }
  }
}
