package io.ollamaflow.core.internal.http1;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ollamaflow.core.http.FlowHttpExchange;
import io.ollamaflow.core.http.FlowHttpHandler;
import io.ollamaflow.core.http.HttpServerOptions;
import io.ollamaflow.core.internal.http1.RawHttpClient.Response;
import io.ollamaflow.core.testing.Eventually;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The limits of {@link Http1Server} ({@link HttpServerOptions}), pinned over raw sockets: slow
 * bodies and heads, idle and surplus connections, clients that stop reading, and a draining
 * close. Timeouts are configured small (200-300 ms) and the test waits for their effect, never
 * for a fixed time; the clients that trickle bytes are the only ones that pause, as an attacker does.
 */
@Timeout(30)
class Http1ServerLimitsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration SHORT = Duration.ofMillis(200);

  private Http1Server server;
  private final List<RawHttpClient> clients = new ArrayList<>();
  private final CountDownLatch release = new CountDownLatch(1);
  private final Semaphore entered = new Semaphore(0);
  private final AtomicInteger calls = new AtomicInteger();
  private final BlockingQueue<String> bodyFailures = new LinkedBlockingQueue<>();

  @AfterEach
  void tearDown() throws IOException {
    release.countDown();
    for (RawHttpClient client : clients) client.close();
    if (server != null) server.close();
  }

  private void start(HttpServerOptions.Builder options) throws IOException {
    server = Http1Server.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), this::handle, options.build());
  }

  /**
   * Reads the whole body and answers 200 with its length; {@code /block} first waits for the
   * test's release; a body that fails to arrive is noted and left unanswered, as the proxy does.
   */
  private void handle(FlowHttpExchange exchange) throws IOException {
    calls.incrementAndGet();
    if (exchange.rawPath().equals("/block")) {
      entered.release();
      awaitQuietly(release);
    }
    byte[] body;
    try {
      body = exchange.requestBody().readAllBytes();
    } catch (IOException e) {
      bodyFailures.add(e.getMessage());
      return;
    }
    byte[] answer = ("read " + body.length).getBytes(UTF_8);
    exchange.sendResponseHeaders(200, answer.length);
    exchange.responseBody().write(answer);
  }

  private RawHttpClient connect() throws IOException {
    return connect(null, 0);
  }

  private RawHttpClient connect(InetAddress from, int receiveBuffer) throws IOException {
    RawHttpClient client = new RawHttpClient(server.address(), from, receiveBuffer);
    clients.add(client);
    return client;
  }

  // --- item 1: slow uploads ---

  @Test
  void aSmallBodyThatStallsIsAnswered408AndNeverReachesTheHandler() throws Exception {
    start(HttpServerOptions.builder().readTimeout(SHORT).minBodyBytesPerSecond(0));
    RawHttpClient client = connect();

    client.send("POST /api/generate HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc");

    assertError(client.response(), 408, "the request body stalled: nothing arrived for 200 ms");
    client.assertClosedByServer();
    assertThat(calls).as("handler calls (a handler call is what takes a backend slot)").hasValue(0);
  }

  @Test
  void aSmallBodyIsReadWholeBeforeTheHandlerRuns() throws Exception {
    CountDownLatch handlerSawAvailable = new CountDownLatch(1);
    AtomicInteger available = new AtomicInteger(-1);
    server = Http1Server.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), exchange -> {
      // Read in one call: a body held in memory comes whole; a streamed one would come as sent.
      byte[] first = new byte[100];
      available.set(exchange.requestBody().read(first));
      handlerSawAvailable.countDown();
      exchange.requestBody().readAllBytes();
      exchange.sendResponseHeaders(204, 0);
    }, HttpServerOptions.defaults());
    RawHttpClient client = connect();

    client.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc");
    client.send("defghij");

    assertThat(client.response().status()).isEqualTo(204);
    assertThat(handlerSawAvailable.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(available).as("bytes of the first read").hasValue(10);
  }

  @Test
  void aStreamedBodyThatStallsFailsTheHandlersReadAndIsAnswered408() throws Exception {
    start(HttpServerOptions.builder().readTimeout(SHORT).minBodyBytesPerSecond(0).bufferedBodyBytes(0));
    RawHttpClient client = connect();

    client.send("POST /api/generate HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\nabc");

    assertError(client.response(), 408, "the request body stalled");
    assertThat(bodyFailures.poll(5, TimeUnit.SECONDS)).isEqualTo("the request body stalled: nothing arrived for 200 ms");
    client.assertClosedByServer();
  }

  @Test
  void aBodyTricklingBelowTheMinimumRateIs408EvenWhenEachByteComesInTime() throws Exception {
    start(HttpServerOptions.builder().readTimeout(Duration.ofMillis(300)).minBodyBytesPerSecond(1000).bufferedBodyBytes(0));
    RawHttpClient client = connect();
    client.send("POST /api/generate HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n");
    Thread trickle = trickle(client, "x", 50);

    assertError(client.response(), 408, "the request body arrived slower than 1000 bytes per second");
    assertThat(bodyFailures.poll(5, TimeUnit.SECONDS)).contains("slower than 1000 bytes per second");
    trickle.interrupt();
  }

  // --- item 6: connection limits ---

  @Test
  void aRequestHeadSentSlowerThanTheHeadTimeoutIs408() throws Exception {
    start(HttpServerOptions.builder().requestHeadTimeout(Duration.ofMillis(300)));
    RawHttpClient client = connect();
    client.send("GET / HTTP/1.1\r\n");
    Thread trickle = trickle(client, "X-A: a\r\n", 50);

    assertError(client.response(), 408, "the request head did not arrive within 300 ms");
    assertThat(calls).hasValue(0);
    trickle.interrupt();
  }

  @Test
  void aNewConnectionThatSendsNothingIsClosedAfterTheHeadTimeout() throws Exception {
    start(HttpServerOptions.builder().requestHeadTimeout(SHORT));

    connect().assertClosedByServer();

    Eventually.until(Duration.ofSeconds(5), "no connection open", () -> server.openConnections() == 0);
  }

  @Test
  void aNewConnectionThatSendsNothingIsClosedAfterTheReadTimeoutWhenItIsShorterThanTheHeadTimeout() throws Exception {
    // The head timeout (10 s) is longer than the client waits (5 s): only the read timeout can close it.
    start(HttpServerOptions.builder().readTimeout(SHORT));

    connect().assertClosedByServer();
  }

  @Test
  void aKeptAliveConnectionIsClosedAfterTheIdleTimeout() throws Exception {
    // The head timeout (10 s) is longer than the client waits (5 s): only the idle timeout can close it.
    start(HttpServerOptions.builder().idleTimeout(SHORT));
    RawHttpClient client = connect();

    assertThat(client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").response().status()).isEqualTo(200);

    client.assertClosedByServer();
  }

  @Test
  void refusesAConnectionBeyondThePerAddressCapWith429AndServesOtherAddresses() throws Exception {
    start(HttpServerOptions.builder().maxConnectionsPerAddress(2));
    InetAddress attacker = InetAddress.getByName("127.0.0.2");
    for (int i = 0; i < 2; i++) {
      assertThat(connect(attacker, 0).send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").response().status()).isEqualTo(200);
    }

    RawHttpClient third = connect(attacker, 0);

    assertError(third.response(), 429, "too many connections from 127.0.0.2 (at most 2)");
    third.assertClosedByServer();
    assertThat(connect().send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").response().status()).isEqualTo(200);
  }

  @Test
  void closesTheNewestConnectionBetweenRequestsToMakeRoomWhenFull() throws Exception {
    start(HttpServerOptions.builder().maxConnections(3));
    RawHttpClient busy = connect().send("GET /block HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(entered.tryAcquire(5, TimeUnit.SECONDS)).isTrue();
    RawHttpClient older = connect();
    assertThat(older.send("GET /a HTTP/1.1\r\nHost: x\r\n\r\n").response().status()).isEqualTo(200);
    RawHttpClient newer = connect();
    assertThat(newer.send("GET /b HTTP/1.1\r\nHost: x\r\n\r\n").response().status()).isEqualTo(200);
    Eventually.until(Duration.ofSeconds(5), "both answered connections back between requests",
        () -> server.connectionsBetweenRequests() == 2);

    RawHttpClient fourth = connect();

    assertThat(fourth.send("GET /c HTTP/1.1\r\nHost: x\r\n\r\n").response().status()).isEqualTo(200);
    newer.assertClosedByServer();
    assertThat(older.send("GET /d HTTP/1.1\r\nHost: x\r\n\r\n").response().status()).isEqualTo(200);
    release.countDown();
    assertThat(busy.response().status()).as("the request in flight is never evicted").isEqualTo(200);
  }

  @Test
  void refusesWith503WhenFullAndEveryConnectionIsServingARequest() throws Exception {
    start(HttpServerOptions.builder().maxConnections(2));
    for (int i = 0; i < 2; i++) connect().send("GET /block HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(entered.tryAcquire(2, 5, TimeUnit.SECONDS)).isTrue();

    RawHttpClient third = connect();

    assertError(third.response(), 503, "the server has 2 connections open, its maximum, all serving requests");
  }

  // --- item 7: a client that never reads ---

  @Test
  void closesAConnectionWhoseClientStopsReadingSoTheBlockedWriteFails() throws Exception {
    BlockingQueue<String> writeFailures = new LinkedBlockingQueue<>();
    server = Http1Server.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), exchange -> {
      exchange.sendResponseHeaders(200, FlowHttpExchange.UNKNOWN_LENGTH);
      OutputStream out = exchange.responseBody();
      byte[] block = new byte[8192];
      try {
        // An endless stream, bounded at 1 GB so that a broken watchdog fails the test instead of hanging it.
        for (int i = 0; i < 131_072; i++) {
          out.write(block);
          out.flush();
        }
        writeFailures.add("none: 1 GB written");
      } catch (IOException e) {
        writeFailures.add("failed");
      }
    }, HttpServerOptions.builder().writeTimeout(SHORT).build());
    RawHttpClient client = connect(null, 4096);

    client.send("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n");

    assertThat(writeFailures.poll(10, TimeUnit.SECONDS)).isEqualTo("failed");
    Eventually.until(Duration.ofSeconds(5), "no connection open", () -> server.openConnections() == 0);
  }

  // --- item 10: shutdown ---

  @Test
  void closeLetsARequestInFlightFinishAndClosesIdleConnectionsAtOnce() throws Exception {
    start(HttpServerOptions.builder());
    RawHttpClient busy = connect().send("POST /block HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi");
    assertThat(entered.tryAcquire(5, TimeUnit.SECONDS)).isTrue();
    RawHttpClient idle = connect();
    assertThat(idle.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").response().status()).isEqualTo(200);
    Thread closer = new Thread(server::close, "test-closer");
    closer.start();

    idle.assertClosedByServer();
    assertThatThrownBy(this::connect).as("no new connections while draining").isInstanceOf(ConnectException.class);
    release.countDown();
    Response last = busy.response();

    assertThat(last.status()).isEqualTo(200);
    assertThat(last.bodyText()).isEqualTo("read 2");
    assertThat(last.header("Connection")).isEqualTo("close");
    busy.assertClosedByServer();
    closer.join(5_000);
    assertThat(closer.isAlive()).as("close() returned once the request finished").isFalse();
  }

  @Test
  void closeCutsARequestStillRunningAfterTheGrace() throws Exception {
    start(HttpServerOptions.builder().shutdownGrace(SHORT));
    RawHttpClient busy = connect().send("GET /block HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(entered.tryAcquire(5, TimeUnit.SECONDS)).isTrue();

    server.close();

    busy.assertClosedByServer();
  }

  // --- helpers ---

  /** Sends {@code piece} every {@code everyMs} from another thread, as a slow client does, until the connection fails (at most 200 times). */
  private static Thread trickle(RawHttpClient client, String piece, long everyMs) {
    Thread t = new Thread(() -> {
      try {
        for (int i = 0; i < 200; i++) {
          Thread.sleep(everyMs);
          client.send(piece);
        }
      } catch (IOException | InterruptedException e) {
        // the server closed the connection, or the test is over
      }
    }, "test-trickle");
    t.setDaemon(true);
    t.start();
    return t;
  }

  private static void assertError(Response response, int status, String message) throws IOException {
    assertThat(response.status()).isEqualTo(status);
    assertThat(response.header("Connection")).isEqualTo("close");
    assertThat(JSON.readTree(response.body()).path("error").textValue()).contains(message);
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(20, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
