package io.ollamaflow.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.ollamaflow.api.ApiFormat;
import io.ollamaflow.api.HealthState;
import io.ollamaflow.api.Frontend;
import io.ollamaflow.core.testing.Eventually;
import io.ollamaflow.core.testing.ScenarioHarness;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import okhttp3.OkHttpClient;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Health, failover, retries and capacity, through real sockets with backends that misbehave on purpose. */
class ResilienceScenarioTest {
  private final ScenarioHarness harness = new ScenarioHarness();

  @AfterEach
  void close() {
    harness.close();
  }

  @Test
  void backendKilledDuringABurstOf300ConcurrentRequestsCostsNoFailedRequest() throws Exception {
    harness.start(b -> b.disableActiveHealthChecks());
    List<MockWebServer> backends = new ArrayList<>();
    for (int i = 0; i < 3; i++) backends.add(harness.backend(slowAnswer("b" + (i + 1), 5)));
    harness.configure(Frontend.builder("f1"), ScenarioHarness.backendFor("b1", backends.get(0)).maxParallelRequests(100).build(),
        ScenarioHarness.backendFor("b2", backends.get(1)).maxParallelRequests(100).build(),
        ScenarioHarness.backendFor("b3", backends.get(2)).maxParallelRequests(100).build());

    ExecutorService clients = Executors.newFixedThreadPool(32);
    AtomicInteger done = new AtomicInteger();
    Map<Integer, Integer> statuses = new ConcurrentHashMap<>();
    try {
      List<Future<?>> calls = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        calls.add(clients.submit(() -> {
          try (Response r = harness.post("/api/generate", "{\"model\":\"m\",\"stream\":false}")) {
            r.body().string();
            statuses.merge(r.code(), 1, Integer::sum);
          }
          done.incrementAndGet();
          return null;
        }));
      }
      Eventually.until(Duration.ofSeconds(20), "60 requests are done", () -> done.get() >= 60);
      backends.get(1).close(); // kills connections in flight and refuses new ones
      for (Future<?> call : calls) call.get(60, TimeUnit.SECONDS);
    } finally {
      clients.shutdownNow();
    }
    assertThat(statuses).containsOnly(Map.entry(200, 300));
  }

  @Test
  void hungBackendYields504WithinTimeoutMsAndLeavesNoSlotOrConnectionBehind() throws Exception {
    OkHttpClient backendClient = new OkHttpClient();
    harness.start(b -> b.disableActiveHealthChecks().httpClient(backendClient));
    MockWebServer hung = harness.backend(new MockResponse.Builder().onResponseStart(SocketEffect.Stall.INSTANCE).build());
    harness.configure(Frontend.builder("f1").timeoutMs(400), ScenarioHarness.backendFor("hung", hung).build());

    for (int i = 0; i < 5; i++) {
      long start = System.nanoTime();
      try (Response r = harness.post("/api/chat", "{\"model\":\"m\"}")) {
        assertThat(r.code()).isEqualTo(504);
        assertThat(r.body().string()).contains("backend 'hung'", "sent no response within 400 ms");
      }
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isBetween(350L, 1500L);
    }
    // Every timed-out call gave its capacity slot back and closed its connection rather than pooling it.
    Eventually.until(Duration.ofSeconds(5), "no request holds a slot on the hung backend",
        () -> harness.cluster().admin().health("hung").orElseThrow().activeRequests() == 0);
    assertThat(backendClient.connectionPool().connectionCount()).as("connections kept to the hung backend").isZero();
  }

  @Test
  void maxParallelRequestsIsNeverExceededUnder50ConcurrentClients() throws Exception {
    harness.start(b -> b.disableActiveHealthChecks());
    ConcurrencyCountingBackend counterA = new ConcurrencyCountingBackend(20);
    ConcurrencyCountingBackend counterB = new ConcurrencyCountingBackend(20);
    MockWebServer a = harness.backend(counterA);
    MockWebServer b = harness.backend(counterB);
    harness.configure(Frontend.builder("f1").timeoutMs(30_000),
        ScenarioHarness.backendFor("a", a).maxParallelRequests(2).rateLimitRequestsThreshold(1000).build(),
        ScenarioHarness.backendFor("b", b).maxParallelRequests(2).rateLimitRequestsThreshold(1000).build());

    ExecutorService clients = Executors.newFixedThreadPool(50);
    Map<Integer, Integer> statuses = new ConcurrentHashMap<>();
    try {
      List<Future<?>> calls = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        calls.add(clients.submit(() -> {
          try (Response r = harness.post("/api/generate", "{\"model\":\"m\"}")) {
            statuses.merge(r.code(), 1, Integer::sum);
          }
          return null;
        }));
      }
      for (Future<?> call : calls) call.get(60, TimeUnit.SECONDS);
    } finally {
      clients.shutdownNow();
    }
    assertThat(statuses).containsOnly(Map.entry(200, 100));
    assertThat(counterA.max.get()).isLessThanOrEqualTo(2);
    assertThat(counterB.max.get()).isLessThanOrEqualTo(2);
    assertThat(counterA.served.get() + counterB.served.get()).isEqualTo(100);
    assertThat(counterA.max.get() + counterB.max.get()).as("both backends were used to capacity").isEqualTo(4);
  }

  @Test
  void requestsBeyondInFlightPlusQueuedThresholdGet429WithRetryAfter() throws Exception {
    harness.start(b -> b.disableActiveHealthChecks());
    CountDownLatch release = new CountDownLatch(1);
    MockWebServer backend = harness.backend(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
        release.await(20, TimeUnit.SECONDS);
        return new MockResponse.Builder().body("{}").build();
      }
    });
    harness.configure(Frontend.builder("f1").timeoutMs(30_000),
        ScenarioHarness.backendFor("only", backend).maxParallelRequests(1).rateLimitRequestsThreshold(2).build());

    ExecutorService clients = Executors.newFixedThreadPool(2);
    try {
      Future<Integer> inFlight = clients.submit(() -> code(harness.post("/api/chat", "{\"model\":\"m\"}")));
      Eventually.until(Duration.ofSeconds(5), "the first request reached the backend", () -> backend.getRequestCount() == 1);
      Future<Integer> queued = clients.submit(() -> code(harness.post("/api/chat", "{\"model\":\"m\"}")));
      Thread.sleep(200); // let it reach the queue
      try (Response refused = harness.post("/api/chat", "{\"model\":\"m\"}")) {
        assertThat(refused.code()).isEqualTo(429);
        assertThat(refused.header("Retry-After")).isEqualTo("1");
        assertThat(refused.body().string()).contains("frontend 'f1' is at capacity", "RateLimitRequestsThreshold");
      }
      release.countDown();
      assertThat(inFlight.get(10, TimeUnit.SECONDS)).isEqualTo(200);
      assertThat(queued.get(10, TimeUnit.SECONDS)).isEqualTo(200);
    } finally {
      release.countDown();
      clients.shutdownNow();
    }
  }

  @Test
  void serverErrorIsRetriedOnAnotherBackendAndTheClientNeverSeesIt() throws Exception {
    harness.start(b -> b.disableActiveHealthChecks());
    MockWebServer failing = harness.backend(new MockResponse.Builder().code(500).body("{\"error\":\"boom\"}").build());
    MockWebServer healthy = harness.backend("{\"from\":\"healthy\"}");
    harness.configure(Frontend.builder("f1"), ScenarioHarness.backendFor("failing", failing).build(),
        ScenarioHarness.backendFor("healthy", healthy).build());

    try (Response r = harness.post("/api/chat", "{\"model\":\"m\",\"messages\":[]}")) {
      assertThat(r.code()).isEqualTo(200);
      assertThat(r.header("X-OllamaFlow-Backend")).isEqualTo("healthy");
      assertThat(r.body().string()).isEqualTo("{\"from\":\"healthy\"}");
    }
    assertThat(failing.getRequestCount()).isEqualTo(1);
    assertThat(healthy.takeRequest(5, TimeUnit.SECONDS).getBody().utf8()).isEqualTo("{\"model\":\"m\",\"messages\":[]}");
  }

  @Test
  void busyAnswerIsRetriedElsewhereWithoutCountingAgainstTheBackendsHealth() throws Exception {
    harness.start(b -> b.disableActiveHealthChecks());
    MockWebServer busy = harness.backend(new MockResponse.Builder().code(503)
        .body("{\"error\":\"server busy, please try again.  maximum pending requests exceeded\"}").build());
    MockWebServer free = harness.backend("{}");
    harness.configure(Frontend.builder("f1"), ScenarioHarness.backendFor("busy", busy).build(),
        ScenarioHarness.backendFor("free", free).build());

    for (int i = 0; i < 6; i++) {
      try (Response r = harness.post("/api/chat", "{\"model\":\"m\"}")) {
        assertThat(r.code()).isEqualTo(200);
      }
    }
    assertThat(harness.cluster().health().get("busy").state()).isEqualTo(HealthState.UNKNOWN);
  }

  @Test
  void backendClientErrorsPassThroughAndAreNotRetried() throws Exception {
    harness.start(b -> b.disableActiveHealthChecks());
    MockWebServer first = harness.backend(new MockResponse.Builder().code(404)
        .body("{\"error\":\"model 'nope' not found\"}").build());
    MockWebServer second = harness.backend("{}");
    harness.configure(Frontend.builder("f1"), ScenarioHarness.backendFor("first", first).build(),
        ScenarioHarness.backendFor("second", second).build());

    try (Response r = harness.post("/api/chat", "{\"model\":\"nope\"}")) {
      assertThat(r.code()).isEqualTo(404);
      assertThat(r.body().string()).isEqualTo("{\"error\":\"model 'nope' not found\"}");
    }
    assertThat(second.getRequestCount()).isZero();
  }

  @Test
  void allowRetriesFalseMakesExactlyOneAttemptAndPassesTheBackendAnswerThrough() throws Exception {
    harness.start(b -> b.disableActiveHealthChecks());
    MockWebServer failing = harness.backend(new MockResponse.Builder().code(500).body("{\"error\":\"boom\"}").build());
    MockWebServer healthy = harness.backend("{}");
    harness.configure(Frontend.builder("f1").allowRetries(false), ScenarioHarness.backendFor("failing", failing).build(),
        ScenarioHarness.backendFor("healthy", healthy).build());

    try (Response r = harness.post("/api/chat", "{\"model\":\"m\"}")) {
      assertThat(r.code()).isEqualTo(500);
      assertThat(r.body().string()).isEqualTo("{\"error\":\"boom\"}");
    }
    assertThat(healthy.getRequestCount()).isZero();
  }

  @Test
  void everyAttemptFailingGets502NamingEachBackendTried() throws Exception {
    harness.start(b -> b.disableActiveHealthChecks());
    int deadA = closedPort();
    int deadB = closedPort();
    harness.configure(Frontend.builder("f1"), io.ollamaflow.api.Backend.builder("a").hostname("127.0.0.1").port(deadA).build(),
        io.ollamaflow.api.Backend.builder("b").hostname("127.0.0.1").port(deadB).build());

    try (Response r = harness.post("/api/chat", "{\"model\":\"m\"}")) {
      assertThat(r.code()).isEqualTo(502);
      assertThat(r.body().string()).isEqualTo("{\"error\":\"every attempt failed: backend 'a' (http://127.0.0.1:" + deadA
          + ") refused the connection; backend 'b' (http://127.0.0.1:" + deadB + ") refused the connection\"}");
    }
  }

  @Test
  void deadBackendLeavesRotationAfterItsFirstFailedRequests() throws Exception {
    harness.start(b -> b.disableActiveHealthChecks());
    int dead = closedPort();
    MockWebServer alive = harness.backend("{}");
    harness.configure(Frontend.builder("f1"), io.ollamaflow.api.Backend.builder("dead").hostname("127.0.0.1").port(dead).build(),
        ScenarioHarness.backendFor("alive", alive).build());

    for (int i = 0; i < 20; i++) {
      try (Response r = harness.post("/api/chat", "{\"model\":\"m\"}")) {
        assertThat(r.code()).isEqualTo(200);
      }
    }
    assertThat(harness.cluster().health().get("dead").state()).isEqualTo(HealthState.UNHEALTHY);
    assertThat(harness.cluster().health().get("dead").lastError()).contains("refused the connection");
  }

  @Test
  void passiveFailuresNeverEjectTheLastRoutableBackendOfAFrontend() throws Exception {
    harness.start(b -> b.disableActiveHealthChecks());
    MockWebServer only = harness.backend(new MockResponse.Builder().code(500).body("{\"error\":\"boom\"}").build());
    harness.configure(Frontend.builder("f1"), ScenarioHarness.backendFor("only", only).build());

    for (int i = 0; i < 5; i++) {
      try (Response r = harness.post("/api/chat", "{\"model\":\"m\"}")) {
        assertThat(r.code()).isEqualTo(500);
      }
    }
    assertThat(only.getRequestCount()).isEqualTo(5);
    assertThat(harness.cluster().health().get("only").state()).isNotEqualTo(HealthState.UNHEALTHY);
  }

  @Test
  void probesEjectAnUnhealthyBackendAndBringItBackWhenItRecovers() throws Exception {
    harness.start(b -> b.healthCheckInterval(Duration.ofMillis(50)).healthCheckTimeout(Duration.ofMillis(500)));
    AtomicBoolean aDown = new AtomicBoolean();
    MockWebServer a = harness.backend(togglingBackend("a", aDown));
    MockWebServer b = harness.backend(togglingBackend("b", new AtomicBoolean()));
    harness.configure(Frontend.builder("f1"), ScenarioHarness.backendFor("a", a).build(),
        ScenarioHarness.backendFor("b", b).build());
    Eventually.until(Duration.ofSeconds(5), "a is healthy", () -> harness.cluster().health().get("a").state() == HealthState.HEALTHY);

    aDown.set(true);
    Eventually.until(Duration.ofSeconds(5), "a is unhealthy", () -> harness.cluster().health().get("a").state() == HealthState.UNHEALTHY);
    assertThat(harness.cluster().health().get("a").lastError()).isEqualTo("GET / answered 500");
    for (int i = 0; i < 6; i++) assertThat(servedBy()).isEqualTo("b");

    aDown.set(false);
    Eventually.until(Duration.ofSeconds(5), "a is healthy", () -> harness.cluster().health().get("a").state() == HealthState.HEALTHY);
    List<String> servers = new ArrayList<>();
    for (int i = 0; i < 6; i++) servers.add(servedBy());
    assertThat(servers).contains("a", "b");
  }

  @Test
  void sseStreamWhoseBackendDiesAfterTheFirstEventEndsWithAnErrorEvent() throws Exception {
    harness.start(b -> b.disableActiveHealthChecks());
    MockWebServer dying = harness.backend(new MockResponse.Builder().addHeader("Content-Type", "text/event-stream")
        .addHeader("Transfer-Encoding", "chunked")
        .body(chunk("data: {\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}\n\n"))
        .onResponseEnd(new SocketEffect.CloseSocket()).build());
    harness.configure(Frontend.builder("f1"),
        ScenarioHarness.backendFor("dying", dying).apiFormat(ApiFormat.OPENAI).build());

    try (Response r = harness.post("/v1/chat/completions", "{\"model\":\"m\",\"stream\":true}")) {
      String body = r.body().string();
      assertThat(body).startsWith("data: {\"choices\"");
      assertThat(body).contains("\n\ndata: {\"error\":{\"message\":\"backend 'dying' failed mid-response");
      assertThat(body).endsWith("\n\n");
    }
  }

  @Test
  void streamSilentLongerThanTimeoutMsIsEndedWithAnErrorLine() throws Exception {
    harness.start(b -> b.disableActiveHealthChecks());
    MockWebServer stalling = harness.backend(new MockResponse.Builder().addHeader("Content-Type", "application/x-ndjson")
        .addHeader("Transfer-Encoding", "chunked")
        .body(chunk("{\"response\":\"Hi\"}\n"))
        .onResponseEnd(SocketEffect.Stall.INSTANCE).build());
    harness.configure(Frontend.builder("f1").timeoutMs(300), ScenarioHarness.backendFor("stalling", stalling).build());

    long start = System.nanoTime();
    try (Response r = harness.post("/api/generate", "{\"model\":\"m\"}")) {
      List<String> lines = r.body().string().lines().toList();
      assertThat(lines.get(0)).isEqualTo("{\"response\":\"Hi\"}");
      assertThat(lines.get(1)).startsWith("{\"error\":\"backend 'stalling' failed mid-response");
    }
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(3000);
  }

  // ---- helpers ----

  private String servedBy() throws Exception {
    try (Response r = harness.post("/api/chat", "{\"model\":\"m\"}")) {
      assertThat(r.code()).isEqualTo(200);
      return r.header("X-OllamaFlow-Backend");
    }
  }

  /** One HTTP/1.1 chunk holding {@code text}, without the final empty chunk. */
  private static okio.Buffer chunk(String text) {
    byte[] bytes = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    return new okio.Buffer().writeUtf8(Integer.toHexString(bytes.length) + "\r\n").write(bytes).writeUtf8("\r\n");
  }

  private static int code(Response response) {
    try (response) {
      return response.code();
    }
  }

  private static int closedPort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static Dispatcher slowAnswer(String name, long millis) {
    return new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
        Thread.sleep(millis);
        return new MockResponse.Builder().body("{\"from\":\"" + name + "\"}").build();
      }
    };
  }

  /**
   * Answers health probes (GET /) with 500 while {@code down}; lists model {@code m} as installed
   * and loaded, like an Ollama server that has it in memory; inference always works.
   */
  private static Dispatcher togglingBackend(String name, AtomicBoolean down) {
    return new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        if (request.getTarget().equals("/") && down.get()) return new MockResponse.Builder().code(500).build();
        if (request.getTarget().equals("/api/tags")) {
          return new MockResponse.Builder().body("{\"models\":[{\"name\":\"m:latest\",\"model\":\"m:latest\"}]}").build();
        }
        if (request.getTarget().equals("/api/ps")) {
          return new MockResponse.Builder().body("{\"models\":[{\"model\":\"m:latest\",\"expires_at\":\"2999-01-01T00:00:00Z\"}]}").build();
        }
        return new MockResponse.Builder().body("{\"from\":\"" + name + "\"}").build();
      }
    };
  }

  /** Counts how many requests it is serving at once, as a backend would see its own load. */
  private static final class ConcurrencyCountingBackend extends Dispatcher {
    final AtomicInteger active = new AtomicInteger();
    final AtomicInteger max = new AtomicInteger();
    final AtomicInteger served = new AtomicInteger();
    private final long millis;

    ConcurrencyCountingBackend(long millis) {
      this.millis = millis;
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
      max.accumulateAndGet(active.incrementAndGet(), Math::max);
      try {
        Thread.sleep(millis);
        served.incrementAndGet();
        return new MockResponse.Builder().body("{}").build();
      } finally {
        active.decrementAndGet();
      }
    }
  }
}
