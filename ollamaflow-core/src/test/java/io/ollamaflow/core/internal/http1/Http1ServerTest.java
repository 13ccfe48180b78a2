package io.ollamaflow.core.internal.http1;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ollamaflow.core.http.FlowHttpExchange;
import io.ollamaflow.core.http.FlowHttpHandler;
import io.ollamaflow.core.http.HttpServerOptions;
import io.ollamaflow.core.internal.http1.RawHttpClient.Response;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The wire behaviour of {@link Http1Server}: raw bytes in over a socket, raw bytes out, checked
 * exactly. Handlers are small hand-written fakes; they hand what they saw to the test thread
 * through queues and latches, and never sleep.
 */
@Timeout(30)
class Http1ServerTest {
  /** RFC 9110 5.6.7 IMF-fixdate, e.g. {@code Sun, 06 Nov 1994 08:49:37 GMT}. */
  private static final String IMF_FIXDATE = "(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \\d\\d "
      + "(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \\d{4} \\d\\d:\\d\\d:\\d\\d GMT";
  private static final ObjectMapper JSON = new ObjectMapper();

  private Http1Server server;
  private final List<RawHttpClient> clients = new ArrayList<>();

  @AfterEach
  void tearDown() throws IOException {
    for (RawHttpClient client : clients) client.close();
    if (server != null) server.close();
  }

  private void start(FlowHttpHandler handler) throws IOException {
    start(handler, HttpServerOptions.defaults());
  }

  private void start(FlowHttpHandler handler, HttpServerOptions options) throws IOException {
    server = Http1Server.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), handler, options);
  }

  /** Bodies reach the handler straight from the socket, as large ones do. */
  private static HttpServerOptions streamingBodies() {
    return HttpServerOptions.builder().bufferedBodyBytes(0).build();
  }

  private RawHttpClient connect() throws IOException {
    RawHttpClient client = new RawHttpClient(server.address());
    clients.add(client);
    return client;
  }

  // --- keep-alive, pipelining, what the handler sees ---

  @Test
  void passesMethodPathQueryHeadersAndRemoteAddressToTheHandler() throws Exception {
    Recording handler = new Recording("x-MULTI", "host", "X-PAD", "Absent");
    start(handler);
    RawHttpClient client = connect();

    client.send("GET /api/tags?name=a%20b&x=1 HTTP/1.1\r\nHost: example.test\r\nX-Multi: one\r\n"
        + "x-multi: two\r\nX-Pad: \t padded value \t\r\n\r\n");

    assertThat(client.response().status()).isEqualTo(200);
    Seen seen = handler.next();
    assertThat(seen.method()).isEqualTo("GET");
    assertThat(seen.rawPath()).isEqualTo("/api/tags");
    assertThat(seen.rawQuery()).isEqualTo("name=a%20b&x=1");
    assertThat(seen.headers()).containsExactly(
        "Host: example.test", "X-Multi: one", "x-multi: two", "X-Pad: padded value");
    assertThat(seen.lookups()).containsEntry("x-MULTI", "one").containsEntry("host", "example.test")
        .containsEntry("X-PAD", "padded value").containsEntry("Absent", null);
    assertThat(seen.remoteAddress()).isEqualTo(client.socket().getLocalAddress().getHostAddress());
  }

  @Test
  void passesANullQueryWhenTheTargetHasNone() throws Exception {
    Recording handler = new Recording();
    start(handler);

    connect().send("GET /api/tags HTTP/1.1\r\nHost: x\r\n\r\n").response();

    assertThat(handler.next().rawQuery()).isNull();
  }

  @Test
  void answersTwoRequestsOnOneKeepAliveConnectionWithContentLengthFraming() throws Exception {
    Recording handler = new Recording();
    start(handler);
    RawHttpClient client = connect();

    Response first = client.send("GET /first HTTP/1.1\r\nHost: x\r\n\r\n").response();
    Response second = client.send("POST /second HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello").response();

    assertThat(first.statusLine()).isEqualTo("HTTP/1.1 200 OK");
    assertThat(first.header("Content-Length")).isEqualTo("10");
    assertThat(first.bodyText()).isEqualTo("GET /first");
    assertThat(first.headers("Transfer-Encoding")).isEmpty();
    assertThat(first.headers("Connection")).isEmpty();
    assertThat(first.header("Content-Type")).isEqualTo("text/plain");
    assertThat(first.header("Date")).matches(IMF_FIXDATE);
    assertThat(second.bodyText()).isEqualTo("POST /second hello");
    assertThat(second.header("Content-Length")).isEqualTo("18");
    assertThat(handler.next().rawPath()).isEqualTo("/first");
    assertThat(handler.next().rawPath()).isEqualTo("/second");
  }

  @Test
  void answersPipelinedRequestsInOrderOnOneConnection() throws Exception {
    start(new Recording());
    RawHttpClient client = connect();

    client.send("GET /one HTTP/1.1\r\nHost: x\r\n\r\n"
        + "POST /two HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
        + "GET /three HTTP/1.1\r\nHost: x\r\n\r\n");

    assertThat(client.response().bodyText()).isEqualTo("GET /one");
    assertThat(client.response().bodyText()).isEqualTo("POST /two abc");
    assertThat(client.response().bodyText()).isEqualTo("GET /three");
  }

  @Test
  void acceptsBlankLinesBeforeARequestLine() throws Exception {
    start(new Recording());

    Response response = connect().send("\r\n\r\nGET /after-blank HTTP/1.1\r\nHost: x\r\n\r\n").response();

    assertThat(response.bodyText()).isEqualTo("GET /after-blank");
  }

  // --- request bodies ---

  @Test
  void decodesAChunkedRequestBodyWithAnExtensionAndATrailer() throws Exception {
    Recording handler = new Recording();
    start(handler);
    RawHttpClient client = connect();

    client.send("POST /chunked HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        + "5;name=value\r\nhello\r\n"
        + "B\r\n, chunked w\r\n"
        + "5\r\norld!\r\n"
        + "0\r\nX-Trailer: t\r\n\r\n"
        + "GET /next HTTP/1.1\r\nHost: x\r\n\r\n");

    assertThat(client.response().bodyText()).isEqualTo("POST /chunked hello, chunked world!");
    assertThat(client.response().bodyText()).isEqualTo("GET /next");
    assertThat(handler.next().headers()).containsExactly("Host: x", "Transfer-Encoding: chunked");
  }

  @Test
  void readsAContentLengthBodyExactlyAndNoFurther() throws Exception {
    start(new Recording());
    RawHttpClient client = connect();

    client.send("POST /exact HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
        + "GET /next HTTP/1.1\r\nHost: x\r\n\r\n");

    assertThat(client.response().bodyText()).isEqualTo("POST /exact hello");
    assertThat(client.response().bodyText()).isEqualTo("GET /next");
  }

  @Test
  void drainsABodyTheHandlerDidNotReadSoTheNextRequestStillWorks() throws Exception {
    Recording handler = Recording.ignoringBodies();
    start(handler);
    RawHttpClient client = connect();
    String body = "x".repeat(20_000);

    client.send("POST /ignored HTTP/1.1\r\nHost: x\r\nContent-Length: " + body.length() + "\r\n\r\n" + body
        + "GET /next HTTP/1.1\r\nHost: x\r\n\r\n");

    Response first = client.response();
    assertThat(first.bodyText()).isEqualTo("POST /ignored");
    assertThat(first.headers("Connection")).isEmpty();
    assertThat(client.response().bodyText()).isEqualTo("GET /next");
    assertThat(handler.next().rawPath()).isEqualTo("/ignored");
    assertThat(handler.next().rawPath()).isEqualTo("/next");
  }

  @Test
  void closesAfterAnsweringWithoutReadingAChunkedBody() throws Exception {
    start(Recording.ignoringBodies(), streamingBodies());
    RawHttpClient client = connect();

    client.send("POST /ignored HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");

    Response response = client.response();
    assertThat(response.status()).isEqualTo(200);
    assertThat(response.header("Connection")).isEqualTo("close");
    client.assertClosedByServer();
  }

  @Test
  void keepsThePathAndQueryOfAnAbsoluteFormTarget() throws Exception {
    Recording handler = new Recording();
    start(handler);
    RawHttpClient client = connect();

    client.send("GET http://example.test?x=1 HTTP/1.1\r\nHost: example.test\r\n\r\n").response();
    client.send("GET http://example.test:8080/api/tags?y=/2 HTTP/1.1\r\nHost: example.test\r\n\r\n").response();

    Seen bare = handler.next();
    assertThat(bare.rawPath()).isEqualTo("/");
    assertThat(bare.rawQuery()).isEqualTo("x=1");
    Seen withPath = handler.next();
    assertThat(withPath.rawPath()).isEqualTo("/api/tags");
    assertThat(withPath.rawQuery()).isEqualTo("y=/2");
  }

  @Test
  void aClientStillUploadingABodyTheHandlerRefusedFinishesItsUploadAndReadsTheRefusal() throws Exception {
    start(exchange -> {
      byte[] refusal = "{\"error\":\"too large\"}".getBytes(UTF_8);
      exchange.sendResponseHeaders(413, refusal.length);
      exchange.responseBody().write(refusal);
    });
    RawHttpClient client = connect();
    int bodyLength = 8 * 1024 * 1024;

    // As curl or an SDK does: send the whole body, then read the answer. Closing on unread input
    // would reset the connection and fail the upload before the client ever reads the 413.
    client.send("POST /api/chat HTTP/1.1\r\nHost: x\r\nContent-Length: " + bodyLength + "\r\n\r\n");
    byte[] piece = new byte[64 * 1024];
    for (int sent = 0; sent < bodyLength; sent += piece.length) client.send(piece);

    Response response = client.response();
    assertThat(response.status()).isEqualTo(413);
    assertThat(response.header("Connection")).isEqualTo("close");
    assertThat(response.bodyText()).isEqualTo("{\"error\":\"too large\"}");
  }

  // --- response framing ---

  @Test
  void streamsAChunkedResponseWithEachFlushReachingTheClientBeforeTheNextWrite() throws Exception {
    Semaphore clientRead = new Semaphore(0);
    BlockingQueue<String> problems = new LinkedBlockingQueue<>();
    start(exchange -> {
      if (!exchange.rawPath().equals("/stream")) {
        new Recording().handle(exchange);
        return;
      }
      exchange.sendResponseHeaders(200, FlowHttpExchange.UNKNOWN_LENGTH);
      OutputStream body = exchange.responseBody();
      for (int i = 1; i <= 3; i++) {
        // Wait until the client has read what was sent so far: the head, then each chunk.
        if (!acquire(clientRead)) {
          problems.add("the client never read part " + (i - 1));
          return;
        }
        body.write(("part-" + i + "\n").getBytes(UTF_8));
        body.flush();
      }
    });
    RawHttpClient client = connect();

    client.send("POST /stream HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");

    Response head = client.head();
    assertThat(head.statusLine()).isEqualTo("HTTP/1.1 200 OK");
    assertThat(head.header("Transfer-Encoding")).isEqualTo("chunked");
    assertThat(head.headers("Content-Length")).isEmpty();
    clientRead.release();
    for (int i = 1; i <= 3; i++) {
      assertThat(new String(client.chunk(), UTF_8)).isEqualTo("part-" + i + "\n");
      clientRead.release();
    }
    assertThat(client.chunk()).isEmpty();
    assertThat(problems).isEmpty();
    // The last chunk ended the body exactly: the connection carries the next request.
    assertThat(client.send("GET /next HTTP/1.1\r\nHost: x\r\n\r\n").response().bodyText()).isEqualTo("GET /next");
  }

  @Test
  void framesTheBodyItselfIgnoringFramingHeadersFromTheHandler() throws Exception {
    start(exchange -> {
      exchange.addResponseHeader("Content-Length", "999");
      exchange.addResponseHeader("Transfer-Encoding", "gzip");
      exchange.addResponseHeader("X-Kept", "yes");
      exchange.sendResponseHeaders(201, 2);
      exchange.responseBody().write("ok".getBytes(UTF_8));
    });

    Response response = connect().send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").response();

    assertThat(response.statusLine()).isEqualTo("HTTP/1.1 201 Created");
    assertThat(response.headers("Content-Length")).containsExactly("2");
    assertThat(response.headers("Transfer-Encoding")).isEmpty();
    assertThat(response.header("X-Kept")).isEqualTo("yes");
    assertThat(response.bodyText()).isEqualTo("ok");
  }

  @Test
  void sendsNoBodyFor204OrHead() throws Exception {
    start(exchange -> {
      switch (exchange.rawPath()) {
        case "/no-content" -> exchange.sendResponseHeaders(204, 0);
        case "/head" -> exchange.sendResponseHeaders(200, 5);
        default -> new Recording().handle(exchange);
      }
    });
    RawHttpClient client = connect();

    client.send("DELETE /no-content HTTP/1.1\r\nHost: x\r\n\r\n"
        + "HEAD /head HTTP/1.1\r\nHost: x\r\n\r\n"
        + "GET /after HTTP/1.1\r\nHost: x\r\n\r\n");

    Response noContent = client.response();
    assertThat(noContent.statusLine()).isEqualTo("HTTP/1.1 204 No Content");
    assertThat(noContent.headers("Content-Length")).isEmpty();
    assertThat(noContent.headers("Transfer-Encoding")).isEmpty();
    Response head = client.response(true);
    assertThat(head.statusLine()).isEqualTo("HTTP/1.1 200 OK");
    assertThat(head.header("Content-Length")).isEqualTo("5");
    assertThat(head.headers("Transfer-Encoding")).isEmpty();
    // No stray body bytes after either: the next response starts right after the head.
    assertThat(client.response().bodyText()).isEqualTo("GET /after");
  }

  // --- closing the connection ---

  @Test
  void closesAnHttp10ConnectionAfterTheResponse() throws Exception {
    start(new Recording());
    RawHttpClient client = connect();

    Response response = client.send("GET /old HTTP/1.0\r\n\r\n").response();

    assertThat(response.statusLine()).isEqualTo("HTTP/1.1 200 OK");
    assertThat(response.header("Content-Length")).isEqualTo("8");
    assertThat(response.header("Connection")).isEqualTo("close");
    assertThat(response.bodyText()).isEqualTo("GET /old");
    client.assertClosedByServer();
  }

  @Test
  void streamsToAnHttp10ClientUntilTheConnectionCloses() throws Exception {
    start(exchange -> {
      exchange.sendResponseHeaders(200, FlowHttpExchange.UNKNOWN_LENGTH);
      exchange.responseBody().write("streamed".getBytes(UTF_8));
      exchange.responseBody().flush();
      exchange.responseBody().write(" to the end".getBytes(UTF_8));
    });
    RawHttpClient client = connect();

    Response response = client.send("GET /old HTTP/1.0\r\n\r\n").response();

    assertThat(response.headers("Transfer-Encoding")).isEmpty();
    assertThat(response.headers("Content-Length")).isEmpty();
    assertThat(response.header("Connection")).isEqualTo("close");
    assertThat(response.bodyText()).isEqualTo("streamed to the end");
  }

  @Test
  void closesAfterTheResponseWhenTheClientSendsConnectionClose() throws Exception {
    start(new Recording());
    RawHttpClient client = connect();

    Response response = client.send("GET /bye HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").response();

    assertThat(response.header("Connection")).isEqualTo("close");
    assertThat(response.bodyText()).isEqualTo("GET /bye");
    client.assertClosedByServer();
  }

  @Test
  void closesWhenTheHandlerAsksForConnectionClose() throws Exception {
    start(exchange -> {
      exchange.addResponseHeader("Connection", "close");
      exchange.sendResponseHeaders(200, 0);
    });
    RawHttpClient client = connect();

    Response response = client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").response();

    assertThat(response.headers("Connection")).containsExactly("close");
    assertThat(response.header("Content-Length")).isEqualTo("0");
    client.assertClosedByServer();
  }

  @Test
  void closesWhenTheHandlerWritesLessThanItsContentLength() throws Exception {
    start(exchange -> {
      exchange.sendResponseHeaders(200, 10);
      exchange.responseBody().write("short".getBytes(UTF_8));
    });
    RawHttpClient client = connect();

    Response response = client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").response();

    assertThat(response.header("Content-Length")).isEqualTo("10");
    assertThat(response.bodyText()).isEqualTo("short");
    client.assertClosedByServer();
  }

  // --- Expect: 100-continue ---

  @Test
  void sends100ContinueOnlyWhenTheHandlerStartsReadingTheBody() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch mayRead = new CountDownLatch(1);
    start(exchange -> {
      if (exchange.rawPath().equals("/upload")) {
        entered.countDown();
        if (!await(mayRead)) return;
      }
      new Recording().handle(exchange);
    });
    RawHttpClient client = connect();

    client.send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");

    assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();
    client.assertNothingArrivesWithin(Duration.ofMillis(300));
    mayRead.countDown();
    assertThat(client.line()).isEqualTo("HTTP/1.1 100 Continue");
    assertThat(client.line()).isEmpty();
    Response response = client.send("hello").response();
    assertThat(response.statusLine()).isEqualTo("HTTP/1.1 200 OK");
    assertThat(response.bodyText()).isEqualTo("POST /upload hello");
    assertThat(response.headers("Connection")).isEmpty();
    assertThat(client.send("GET /next HTTP/1.1\r\nHost: x\r\n\r\n").response().bodyText()).isEqualTo("GET /next");
  }

  @Test
  void answersWithout100ContinueAndClosesWhenTheHandlerRefusesTheBodyUnread() throws Exception {
    start(exchange -> {
      byte[] json = "{\"error\":\"too large\"}".getBytes(UTF_8);
      exchange.sendResponseHeaders(413, json.length);
      exchange.responseBody().write(json);
    });
    RawHttpClient client = connect();

    client.send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\nExpect: 100-continue\r\n\r\n");

    Response response = client.response();
    assertThat(response.statusLine()).isEqualTo("HTTP/1.1 413 Content Too Large");
    assertThat(response.header("Connection")).isEqualTo("close");
    assertThat(response.bodyText()).isEqualTo("{\"error\":\"too large\"}");
    client.assertClosedByServer();
  }

  @Test
  void sendsNo100ContinueOnceTheResponseHasStarted() throws Exception {
    start(exchange -> {
      exchange.sendResponseHeaders(200, FlowHttpExchange.UNKNOWN_LENGTH);
      exchange.responseBody().write("first ".getBytes(UTF_8));
      exchange.responseBody().flush();
      exchange.responseBody().write(exchange.requestBody().readAllBytes());
    });
    RawHttpClient client = connect();

    // The client may send the body without waiting for 100 Continue.
    client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\nhello");

    Response response = client.response();
    assertThat(response.statusLine()).isEqualTo("HTTP/1.1 200 OK");
    assertThat(response.bodyText()).isEqualTo("first hello");
    // Answered before the body was asked for: the client may not have sent it, so the connection ends.
    assertThat(response.header("Connection")).isEqualTo("close");
  }

  // --- malformed requests ---

  static Stream<Arguments> malformedHeads() {
    StringBuilder manyHeaders = new StringBuilder("GET / HTTP/1.1\r\n");
    for (int i = 0; i <= RequestHead.MAX_HEADERS; i++) manyHeaders.append("X-H").append(i).append(": v\r\n");
    return Stream.of(
        Arguments.of("garbage request line", "GARBAGE\r\n\r\n", 400, "malformed request line: GARBAGE"),
        Arguments.of("HTTP/2.0", "GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505, "unsupported protocol version: HTTP/2.0"),
        Arguments.of("Content-Length with Transfer-Encoding",
            "POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", 400,
            "both Content-Length and Transfer-Encoding"),
        Arguments.of("two different Content-Lengths", "POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n",
            400, "conflicting Content-Length values: 3 and 4"),
        Arguments.of("non-numeric Content-Length", "POST / HTTP/1.1\r\nContent-Length: ten\r\n\r\n", 400,
            "Content-Length is not a non-negative integer: ten"),
        Arguments.of("negative Content-Length", "POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400,
            "Content-Length is not a non-negative integer: -1"),
        Arguments.of("Transfer-Encoding gzip", "POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", 501,
            "Transfer-Encoding 'gzip' is not supported"),
        Arguments.of("Transfer-Encoding in HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400,
            "Transfer-Encoding is not allowed in an HTTP/1.0 request"),
        Arguments.of("folded header line", "GET / HTTP/1.1\r\nX-A: one\r\n two\r\n\r\n", 400,
            "folded header lines are not accepted"),
        Arguments.of("NUL in a header value", "GET / HTTP/1.1\r\nX-A: a\u0000b\r\n\r\n", 400,
            "control character 0x0 in header X-A"),
        Arguments.of("bare CR in a header line", "GET / HTTP/1.1\r\nX-A: a\rb\r\n\r\n", 400,
            "a bare CR inside a header line"),
        Arguments.of("whitespace before a colon", "GET / HTTP/1.1\r\nHost : x\r\n\r\n", 400,
            "malformed header line: Host : x"),
        Arguments.of("target that is not a path", "GET api/tags HTTP/1.1\r\n\r\n", 400,
            "request target must be a path"),
        Arguments.of("request line over 8192 bytes", "GET /" + "a".repeat(RequestHead.MAX_REQUEST_LINE) + " HTTP/1.1\r\n\r\n",
            414, "request line longer than 8192 bytes"),
        Arguments.of("more than 200 header fields", manyHeaders.append("\r\n").toString(), 431,
            "request headers exceed 200 fields"),
        Arguments.of("vertical tab after chunked", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\u000b\r\n\r\n",
            400, "control character 0xb in header Transfer-Encoding"),
        Arguments.of("unit separator after a Content-Length", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 47\u001f\r\n\r\n",
            400, "control character 0x1f in header Content-Length"),
        Arguments.of("SOH inside a header value", "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\u0001b\r\n\r\n", 400,
            "control character 0x1 in header X-A"),
        Arguments.of("DEL inside a header value", "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\u007fb\r\n\r\n", 400,
            "control character 0x7f in header X-A"),
        Arguments.of("HTTP/1.1 without Host", "GET / HTTP/1.1\r\nX-A: a\r\n\r\n", 400,
            "an HTTP/1.1 request must carry a Host header"),
        Arguments.of("two Host headers", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400,
            "only one Host header, this one has 2"),
        Arguments.of("two Host headers in HTTP/1.0", "GET / HTTP/1.0\r\nHost: a\r\nhost: a\r\n\r\n", 400,
            "only one Host header"),
        Arguments.of("head over maxHeadBytes", "GET / HTTP/1.1\r\nHost: x\r\n"
            + ("X-Pad: " + "p".repeat(8000) + "\r\n").repeat(9) + "\r\n", 431, "65536 bytes"));
  }

  @Test
  void servesAnHttp10RequestWithoutHostAndKeepsTabsInsideValues() throws Exception {
    Recording handler = new Recording("X-Tabbed");
    start(handler);

    Response response = connect().send("GET /old HTTP/1.0\r\nX-Tabbed: a\tb\r\n\r\n").response();

    assertThat(response.status()).isEqualTo(200);
    assertThat(handler.next().lookups()).containsEntry("X-Tabbed", "a\tb");
  }

  @ParameterizedTest(name = "{0} -> {2}")
  @MethodSource("malformedHeads")
  void refusesAMalformedRequestHeadWithoutCallingTheHandler(String what, String request, int status, String message)
      throws Exception {
    AtomicInteger calls = new AtomicInteger();
    start(exchange -> {
      calls.incrementAndGet();
      new Recording().handle(exchange);
    });
    RawHttpClient client = connect();

    Response response = client.send(request).response();

    assertRefused(response, status, message);
    client.assertClosedByServer();
    assertThat(calls).hasValue(0);
  }

  @Test
  void answers400WhenTheConnectionEndsInsideTheHeaders() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    start(exchange -> calls.incrementAndGet());
    RawHttpClient client = connect();

    client.send("GET / HTTP/1.1\r\nHost: x\r\n");
    client.socket().shutdownOutput();

    assertRefused(client.response(), 400, "the connection ended inside the request headers");
    client.assertClosedByServer();
    assertThat(calls).hasValue(0);
  }

  @Test
  void answers400NamingTheChunkSizeWhenTheHandlerMeetsAMalformedChunk() throws Exception {
    BlockingQueue<String> handlerSaw = new LinkedBlockingQueue<>();
    start(exchange -> {
      try {
        exchange.requestBody().readAllBytes();
        handlerSaw.add("the whole body");
      } catch (IOException e) {
        handlerSaw.add("IOException: " + e.getMessage());
        // gives up without answering
      }
    }, streamingBodies());
    RawHttpClient client = connect();

    client.send("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nzz\r\n");

    Response response = client.response();
    assertRefused(response, 400, "malformed chunk size in the request body: 'zz'");
    assertThat(handlerSaw.poll(5, TimeUnit.SECONDS)).startsWith("IOException: malformed chunk size");
    client.assertClosedByServer();
  }

  @Test
  void answers400WhenTheHandlerLetsTheBodysIoExceptionPropagate() throws Exception {
    start(exchange -> exchange.requestBody().readAllBytes());
    RawHttpClient client = connect();

    client.send("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nnot-hex\r\n");

    assertRefused(client.response(), 400, "malformed chunk size in the request body: 'not-hex'");
    client.assertClosedByServer();
  }

  @Test
  void escapesControlCharactersQuotedInAnErrorSoTheBodyIsValidJson() throws Exception {
    start(exchange -> {
      try {
        exchange.requestBody().readAllBytes();
      } catch (IOException e) {
        // gives up without answering
      }
    });
    RawHttpClient client = connect();

    client.send("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n\u0001\"\\\t\r\n");

    assertRefused(client.response(), 400, "malformed chunk size in the request body: '\u0001\"\\'");
  }

  // --- failures and shutdown ---

  @Test
  void answers500AndClosesWhenTheHandlerThrowsThenKeepsServingNewConnections() throws Exception {
    start(exchange -> {
      if (exchange.rawPath().equals("/boom")) throw new IllegalStateException("handler bug");
      new Recording().handle(exchange);
    });
    RawHttpClient failing = connect();

    Response response = failing.send("GET /boom HTTP/1.1\r\nHost: x\r\n\r\n").response();

    assertRefused(response, 500, "internal error");
    failing.assertClosedByServer();
    assertThat(connect().send("GET /fine HTTP/1.1\r\nHost: x\r\n\r\n").response().bodyText()).isEqualTo("GET /fine");
  }

  @Test
  void answers500WhenTheHandlerReturnsWithoutAnswering() throws Exception {
    start(exchange -> {});
    RawHttpClient client = connect();

    assertRefused(client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").response(), 500, "no response was produced");
    client.assertClosedByServer();
  }

  @Test
  void closeEndsIdleKeepAliveConnectionsAndRefusesNewOnes() throws Exception {
    start(new Recording());
    RawHttpClient client = connect();
    assertThat(client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").response().status()).isEqualTo(200);
    InetSocketAddress address = server.address();

    server.close();

    client.assertClosedByServer();
    try (Socket late = new Socket()) {
      assertThatThrownBy(() -> late.connect(address, RawHttpClient.TIMEOUT_MS)).isInstanceOf(ConnectException.class);
    }
  }

  @Test
  void failsTheHandlersNextWriteSoonAfterTheClientLeavesMidStream() throws Exception {
    CountDownLatch clientLeft = new CountDownLatch(1);
    BlockingQueue<Object> outcome = new LinkedBlockingQueue<>();
    start(exchange -> {
      exchange.sendResponseHeaders(200, FlowHttpExchange.UNKNOWN_LENGTH);
      OutputStream body = exchange.responseBody();
      body.write("{\"token\":\"first\"}\n".getBytes(UTF_8));
      body.flush();
      if (!await(clientLeft)) return;
      byte[] token = "{\"token\":\"x\"}\n".getBytes(UTF_8);
      long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      try {
        while (System.nanoTime() < giveUp) {
          body.write(token);
          body.flush();
        }
        outcome.add("writes kept succeeding for 5 s after the client left");
      } catch (IOException expected) {
        outcome.add(System.nanoTime());
      }
    });
    RawHttpClient client = connect();
    client.send("POST /api/chat HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
    assertThat(client.head().status()).isEqualTo(200);
    assertThat(new String(client.chunk(), UTF_8)).isEqualTo("{\"token\":\"first\"}\n");

    client.close();
    long left = System.nanoTime();
    clientLeft.countDown();

    Object result = outcome.poll(10, TimeUnit.SECONDS);
    assertThat(result).isInstanceOf(Long.class);
    assertThat(Duration.ofNanos((Long) result - left)).isLessThan(Duration.ofSeconds(1));
  }

  // --- helpers ---

  private static void assertRefused(Response response, int status, String message) throws IOException {
    assertThat(response.status()).isEqualTo(status);
    assertThat(response.statusLine()).isEqualTo("HTTP/1.1 " + status + " " + ReasonPhrases.of(status));
    assertThat(response.header("Content-Type")).isEqualTo("application/json");
    assertThat(response.header("Connection")).isEqualTo("close");
    JsonNode json = JSON.readTree(response.body());
    assertThat(json.path("error").textValue()).contains(message);
  }

  private static boolean await(CountDownLatch latch) throws IOException {
    try {
      return latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted");
    }
  }

  private static boolean acquire(Semaphore semaphore) throws IOException {
    try {
      return semaphore.tryAcquire(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted");
    }
  }

  /** What a handler saw of one exchange. */
  private record Seen(String method, String rawPath, String rawQuery, List<String> headers,
      Map<String, String> lookups, String remoteAddress) {}

  /**
   * Records each exchange and answers 200 {@code text/plain} with "METHOD path" and, when it read
   * one, " body". For HEAD it sends the headers only.
   */
  private static final class Recording implements FlowHttpHandler {
    private final BlockingQueue<Seen> seen = new LinkedBlockingQueue<>();
    private final boolean readBody;
    private final List<String> lookups;

    Recording(String... lookups) {
      this(true, lookups);
    }

    private Recording(boolean readBody, String... lookups) {
      this.readBody = readBody;
      this.lookups = List.of(lookups);
    }

    static Recording ignoringBodies() {
      return new Recording(false);
    }

    @Override
    public void handle(FlowHttpExchange exchange) throws IOException {
      String body = readBody ? new String(exchange.requestBody().readAllBytes(), UTF_8) : "";
      List<String> headers = new ArrayList<>();
      exchange.forEachRequestHeader((name, value) -> headers.add(name + ": " + value));
      Map<String, String> found = new LinkedHashMap<>();
      for (String name : lookups) found.put(name, exchange.requestHeader(name));
      seen.add(new Seen(exchange.method(), exchange.rawPath(), exchange.rawQuery(), headers, found,
          exchange.remoteAddress()));
      byte[] answer = (exchange.method() + " " + exchange.rawPath() + (body.isEmpty() ? "" : " " + body)).getBytes(UTF_8);
      exchange.addResponseHeader("Content-Type", "text/plain");
      exchange.sendResponseHeaders(200, answer.length);
      if (!exchange.method().equals("HEAD")) exchange.responseBody().write(answer);
    }

    Seen next() throws InterruptedException {
      Seen next = seen.poll(5, TimeUnit.SECONDS);
      assertThat(next).as("an exchange the handler saw").isNotNull();
      return next;
    }
  }
}
