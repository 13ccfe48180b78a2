package io.ollamaflow.core.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ollamaflow.api.ApiFormat;
import io.ollamaflow.api.Backend;
import io.ollamaflow.api.Frontend;
import io.ollamaflow.core.FlowCluster;
import io.ollamaflow.core.InMemoryConfigStore;
import io.ollamaflow.core.testing.ChunkedEvents;
import io.ollamaflow.core.testing.Eventually;
import io.ollamaflow.core.testing.RawBackend;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.Buffer;
import okio.BufferedSink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The proxy's behaviour end to end, through real sockets: a client (OkHttp) talks to the cluster
 * mounted by an adapter, which talks to MockWebServer backends. Each adapter runs the same suite
 * by implementing {@link #mount}.
 */
abstract class ProxyScenarios {
  private static final MediaType JSON = MediaType.get("application/json");

  private final List<MockWebServer> backends = new ArrayList<>();
  private final InMemoryConfigStore store = new InMemoryConfigStore();
  private final RecordingEventListener listener = new RecordingEventListener();
  private FlowCluster cluster;
  private String proxyUrl;
  private final OkHttpClient client = new OkHttpClient.Builder()
      .readTimeout(Duration.ofSeconds(15))
      .retryOnConnectionFailure(false)
      .build();

  /** Serves the handler over HTTP on loopback and returns the base URL, without trailing slash. */
  protected abstract String mount(FlowHttpHandler handler) throws Exception;

  /** Stops what {@link #mount} started. */
  protected abstract void unmount() throws Exception;

  @BeforeEach
  void startCluster() throws Exception {
    cluster = FlowCluster.builder().configStore(store).eventListener(listener).disableActiveHealthChecks().build();
    proxyUrl = mount(cluster.httpHandler());
  }

  @AfterEach
  void stopEverything() throws Exception {
    unmount();
    cluster.close();
    for (MockWebServer backend : backends) backend.close();
    client.connectionPool().evictAll();
  }

  // ---- routes and relaying ----

  /**
   * Every route answered by one backend. The listing routes (tags, ps, version, models) merge
   * several backends' answers, and copy and delete act on every backend; they have their own tests.
   */
  static Stream<Arguments> everyRoute() {
    String model = "{\"model\":\"llama3\",\"prompt\":\"hi\"}";
    return Stream.of(
        Arguments.of("POST", "/api/show", "{\"name\":\"llama3\"}"),
        Arguments.of("POST", "/api/generate", model),
        Arguments.of("POST", "/api/chat", "{\"model\":\"llama3\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"),
        Arguments.of("POST", "/api/embed", "{\"model\":\"llama3\",\"input\":\"hi\"}"),
        Arguments.of("POST", "/api/embeddings", "{\"model\":\"llama3\",\"prompt\":\"hi\"}"),
        Arguments.of("POST", "/api/pull", "{\"model\":\"llama3\"}"),
        Arguments.of("POST", "/api/push", "{\"name\":\"me/llama3\"}"),
        Arguments.of("POST", "/api/create", "{\"model\":\"mine\",\"from\":\"llama3\"}"),
        Arguments.of("HEAD", "/api/blobs/sha256:29fdb92e57cf0827ded04ae6461b5931d01fa595843f55d36f5b275a52087dd2", null),
        Arguments.of("POST", "/api/blobs/sha256:29fdb92e57cf0827ded04ae6461b5931d01fa595843f55d36f5b275a52087dd2", "raw bytes"),
        Arguments.of("POST", "/v1/chat/completions", "{\"model\":\"llama3\",\"messages\":[]}"),
        Arguments.of("POST", "/v1/completions", model),
        Arguments.of("POST", "/v1/embeddings", "{\"model\":\"llama3\",\"input\":\"hi\"}"),
        Arguments.of("GET", "/v1/models/hf.co%2Fuser%2Frepo:Q4", null));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("everyRoute")
  void everySingleBackendRouteReachesABackendOfItsDialectAndReturnsItsAnswerUnchanged(String method, String path,
      String body) throws Exception {
    MockWebServer backend = startBackend(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        String answer = "{\"echo\" : \"" + request.getMethod() + " " + request.getTarget() + "\",\n \"n\": 1}";
        return new MockResponse.Builder().code(207).addHeader("Content-Type", "application/json; charset=utf-8")
            .addHeader("X-Backend-Says", "hello").body(answer).build();
      }
    });
    configure(List.of(backend), dialectOf(path));

    RequestBody requestBody = body == null ? null : RequestBody.create(body, JSON);
    try (Response response = call(new Request.Builder().url(proxyUrl + path + "?keep=1").method(method, requestBody))) {
      RecordedRequest seen = backend.takeRequest(5, TimeUnit.SECONDS);
      assertThat(seen).as("backend received the request").isNotNull();
      assertThat(seen.getMethod()).isEqualTo(method);
      assertThat(seen.getTarget()).isEqualTo(path + "?keep=1");
      if (body != null) assertThat(seen.getBody().utf8()).isEqualTo(body);
      assertThat(response.code()).isEqualTo(207);
      assertThat(mediaType(response)).isEqualTo("application/json;charset=utf-8");
      assertThat(response.header("X-Backend-Says")).isEqualTo("hello");
      assertThat(response.header("X-OllamaFlow-Backend")).isEqualTo("b1");
      assertThat(response.header("X-OllamaFlow-Request")).matches("[0-9a-f]{16}");
      String expected = method.equals("HEAD") ? "" : "{\"echo\" : \"" + method + " " + path + "?keep=1\",\n \"n\": 1}";
      assertThat(response.body().string()).isEqualTo(expected);
    }
  }

  @Test
  void ndjsonStreamArrivesLineByLineBeforeTheBackendSendsTheNextLine() throws Exception {
    List<String> lines = List.of("{\"response\":\"Hel\",\"done\":false}\n", "{\"response\":\"lo\",\"done\":false}\n",
        "{\"response\":\"\",\"done\":true,\"done_reason\":\"stop\"}\n");
    assertEventsArriveOneAtATime("application/x-ndjson", lines, "/api/generate");
  }

  @Test
  void sseStreamArrivesEventByEventAndByteForByte() throws Exception {
    List<String> events = List.of(
        "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Hel\"},\"finish_reason\":null}]}\n\n",
        ": a comment line that OllamaFlow would lose\n\n",
        "event: message\ndata: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo\"},\"finish_reason\":\"stop\"}]}\n\n",
        "data: [DONE]\n\n");
    assertEventsArriveOneAtATime("text/event-stream", events, "/v1/chat/completions");
  }

  private void assertEventsArriveOneAtATime(String contentType, List<String> events, String path) throws Exception {
    ChunkedEvents stream = ChunkedEvents.gated(events);
    MockWebServer backend = startBackend(new MockResponse.Builder().addHeader("Content-Type", contentType)
        .addHeader("Transfer-Encoding", "chunked").body(stream).build());
    configure(List.of(backend), dialectOf(path));

    try (Response response = call(post(path, "{\"model\":\"llama3\",\"stream\":true}"))) {
      assertThat(mediaType(response)).isEqualTo(contentType);
      StringBuilder received = new StringBuilder();
      for (int i = 0; i < events.size(); i++) {
        String event = events.get(i);
        // Read exactly this event's bytes: the backend holds the next one back until we release it.
        received.append(response.body().source().readUtf8(event.getBytes(StandardCharsets.UTF_8).length));
        stream.release(i);
      }
      assertThat(response.body().source().exhausted()).isTrue();
      assertThat(received.toString()).isEqualTo(String.join("", events));
    }
  }

  @Test
  void tenMegabyteRequestBodyReachesTheBackendIntact() throws Exception {
    MockWebServer backend = startBackend(new MockResponse.Builder().body("{\"ok\":true}").build());
    configure(List.of(backend));
    byte[] body = chatWithPromptOfBytes(10 * 1024 * 1024, true);

    try (Response response = call(new Request.Builder().url(proxyUrl + "/api/chat").post(RequestBody.create(body, JSON)))) {
      assertThat(response.code()).isEqualTo(200);
    }
    RecordedRequest seen = backend.takeRequest(5, TimeUnit.SECONDS);
    assertThat(seen.getBodySize()).isEqualTo(body.length);
    assertThat(sha256(seen.getBody().toByteArray())).isEqualTo(sha256(body));
  }

  @Test
  void tenMegabyteChunkedRequestWhoseModelComesLastReachesTheBackendIntact() throws Exception {
    MockWebServer backend = startBackend(new MockResponse.Builder().body("{\"ok\":true}").build());
    configure(List.of(backend));
    byte[] body = chatWithPromptOfBytes(10 * 1024 * 1024, false);
    RequestBody chunked = new RequestBody() {
      @Override
      public MediaType contentType() {
        return JSON;
      }

      @Override
      public void writeTo(BufferedSink sink) throws java.io.IOException {
        sink.write(body);
      }
    };

    try (Response response = call(new Request.Builder().url(proxyUrl + "/api/chat").post(chunked))) {
      assertThat(response.code()).isEqualTo(200);
    }
    RecordedRequest seen = backend.takeRequest(5, TimeUnit.SECONDS);
    assertThat(sha256(seen.getBody().toByteArray())).isEqualTo(sha256(body));
  }

  @Test
  void tenMegabyteResponseReachesTheClientIntact() throws Exception {
    byte[] payload = new byte[10 * 1024 * 1024];
    for (int i = 0; i < payload.length; i++) payload[i] = (byte) ('a' + i % 26);
    MockWebServer backend = startBackend(new MockResponse.Builder().body(new Buffer().write(payload)).build());
    configure(List.of(backend));

    try (Response response = call(showRequest())) {
      assertThat(response.header("Content-Length")).isEqualTo(String.valueOf(payload.length));
      assertThat(sha256(response.body().bytes())).isEqualTo(sha256(payload));
    }
  }

  @Test
  void clientDisconnectCancelsTheBackendCallWithinASecond() throws Exception {
    EndlessTokens tokens = new EndlessTokens(50);
    MockWebServer backend = startBackend(new MockResponse.Builder().addHeader("Content-Type", "application/x-ndjson")
        .addHeader("Transfer-Encoding", "chunked").body(tokens).build());
    configure(List.of(backend));

    long closedAt;
    java.net.URI uri = java.net.URI.create(proxyUrl);
    try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
      String body = "{\"model\":\"llama3\"}";
      OutputStream out = socket.getOutputStream();
      out.write(("POST /api/generate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: "
          + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));
      out.flush();
      BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      String line;
      while ((line = in.readLine()) != null && !line.contains("token1")) {
        // read the status line, headers and the first tokens
      }
      assertThat(line).as("tokens arrive through the proxy").contains("token1");
      closedAt = System.nanoTime();
    }
    long stoppedAt = tokens.awaitStoppedAtNanos(5, TimeUnit.SECONDS);
    assertThat(stoppedAt).as("the backend's stream was cut").isPositive();
    assertThat(TimeUnit.NANOSECONDS.toMillis(stoppedAt - closedAt)).isLessThan(1000);
  }

  @Test
  void backendDyingMidStreamIsReportedOnceAsFailedNamingTheCause() throws Exception {
    ChunkedEvents stream = ChunkedEvents.dyingAfter(List.of("{\"response\":\"Hel\",\"done\":false}\n"));
    MockWebServer backend = startBackend(new MockResponse.Builder().addHeader("Content-Type", "application/x-ndjson")
        .addHeader("Transfer-Encoding", "chunked").body(stream).onResponseEnd(new SocketEffect.CloseSocket()).build());
    configure(List.of(backend));

    try (Response response = call(post("/api/generate", "{\"model\":\"llama3\"}"))) {
      assertThat(response.body().string()).doesNotContain("null");
    }
    Eventually.until(Duration.ofSeconds(5), "the request's outcome", () -> outcomes().size() > 0);
    assertThat(outcomes()).singleElement().asString()
        .startsWith("failed 502 backend 'b1' failed mid-response after 32 bytes: ").doesNotContain("null");
  }

  /** What the listener heard about how requests ended: finished or failed, one line each. */
  private List<String> outcomes() {
    return listener.events.stream().filter(e -> e.startsWith("finished") || e.startsWith("failed")).toList();
  }

  @Test
  void backendDyingMidStreamEndsTheNdjsonStreamWithAnErrorLine() throws Exception {
    ChunkedEvents stream = ChunkedEvents.dyingAfter(List.of("{\"response\":\"Hel\",\"done\":false}\n",
        "{\"response\":\"lo\",\"done\":false}\n"));
    MockWebServer backend = startBackend(new MockResponse.Builder().addHeader("Content-Type", "application/x-ndjson")
        .addHeader("Transfer-Encoding", "chunked").body(stream).onResponseEnd(new SocketEffect.CloseSocket()).build());
    configure(List.of(backend));

    try (Response response = call(post("/api/generate", "{\"model\":\"llama3\"}"))) {
      List<String> lines = response.body().string().lines().toList();
      assertThat(lines).hasSize(3);
      assertThat(lines.get(2)).startsWith("{\"error\":\"backend 'b1' failed mid-response");
    }
  }

  // ---- headers ----

  @Test
  void rewritesHostAndAddsForwardingHeadersBackendCredentialsAndQuery() throws Exception {
    MockWebServer backend = startBackend(new MockResponse.Builder().body("{}").build());
    store.putBackend(backendFor("b1", backend).toBuilder()
        .bearerToken("backend-secret")
        .headers(Map.of("X-Team", "ml"))
        .querystring("api-version=2024-02-01")
        .build());
    store.putFrontend(Frontend.builder("f1").backends(List.of("b1")).build());
    cluster.reload();

    Request.Builder request = new Request.Builder().url(proxyUrl + "/api/show?verbose=true")
        .post(RequestBody.create("{\"model\":\"llama3\"}", JSON))
        .header("Host", "proxy.example.com")
        .header("Authorization", "Bearer client-token")
        .header("X-Client", "kept")
        .header("X-Forwarded-For", "10.9.8.7")
        .header("Proxy-Authorization", "Basic c2VjcmV0");
    try (Response response = call(request)) {
      assertThat(response.code()).isEqualTo(200);
    }
    RecordedRequest seen = backend.takeRequest(5, TimeUnit.SECONDS);
    assertThat(seen.getTarget()).isEqualTo("/api/show?verbose=true&api-version=2024-02-01");
    assertThat(seen.getHeaders().get("Host")).isEqualTo("127.0.0.1:" + backend.getPort());
    assertThat(seen.getHeaders().get("Authorization")).isEqualTo("Bearer backend-secret");
    assertThat(seen.getHeaders().get("X-Team")).isEqualTo("ml");
    assertThat(seen.getHeaders().get("X-Client")).isEqualTo("kept");
    assertThat(seen.getHeaders().get("X-Forwarded-For")).matches("10\\.9\\.8\\.7, (127\\.0\\.0\\.1|0:0:0:0:0:0:0:1)");
    assertThat(seen.getHeaders().get("X-Forwarded-Host")).isEqualTo("proxy.example.com");
    assertThat(seen.getHeaders().get("Proxy-Authorization")).isNull();
  }

  @Test
  void headersTheClientsConnectionHeaderNamesDoNotReachTheBackend() throws Exception {
    MockWebServer backend = startBackend(new MockResponse.Builder().body("{}").build());
    configure(List.of(backend));
    // What Java's HttpClient sends on its first HTTP/1.1 request (Spring's default client).
    Request.Builder request = showRequest()
        .header("Connection", "Upgrade, HTTP2-Settings")
        .header("Upgrade", "h2c")
        .header("HTTP2-Settings", "AAEAAEAAAAIAAAABAAMAAABkAAQBAAAAAAUAAEAA")
        .header("X-Client", "kept");
    try (Response response = call(request)) {
      assertThat(response.code()).isEqualTo(200);
    }
    RecordedRequest seen = backend.takeRequest(5, TimeUnit.SECONDS);
    assertThat(seen.getHeaders().get("HTTP2-Settings")).isNull();
    assertThat(seen.getHeaders().get("Upgrade")).isNull();
    assertThat(seen.getHeaders().get("X-Client")).isEqualTo("kept");
  }

  @Test
  void aProxiedAnswerCarriesOneDateHeader() throws Exception {
    MockWebServer backend = startBackend(new MockResponse.Builder().addHeader("Date", "Mon, 01 Jan 2024 00:00:00 GMT")
        .addHeader("Connection", "X-Backend-Hop").addHeader("X-Backend-Hop", "1").body("{}").build());
    configure(List.of(backend));
    try (Response response = call(showRequest())) {
      assertThat(response.code()).isEqualTo(200);
      assertThat(response.headers("Date")).hasSize(1);
      assertThat(response.headers("Date").get(0)).isNotEqualTo("Mon, 01 Jan 2024 00:00:00 GMT");
      assertThat(response.header("X-Backend-Hop")).as("named by the backend's Connection header").isNull();
    }
  }

  @Test
  void clientAuthorizationPassesThroughWhenTheBackendHasNoToken() throws Exception {
    MockWebServer backend = startBackend(new MockResponse.Builder().body("{}").build());
    configure(List.of(backend));
    call(new Request.Builder().url(proxyUrl + "/v1/models").header("Authorization", "Bearer sk-client")).close();
    assertThat(backend.takeRequest(5, TimeUnit.SECONDS).getHeaders().get("Authorization")).isEqualTo("Bearer sk-client");
  }

  // ---- browsers ----

  @Test
  void rootIsAnsweredByTheProxyItselfForAnyOriginEvenWithNoFrontend() throws Exception {
    MockWebServer backend = startBackend(new MockResponse.Builder().body("from the backend").build());
    store.putBackend(backendFor("b1", backend));
    store.putFrontend(Frontend.builder("named").hostname("api.example.com").backends(List.of("b1")).build());
    cluster.reload();

    // OllamaFlow's web UI checks the server this way before logging in, from wherever it is served.
    try (Response response = call(new Request.Builder().url(proxyUrl + "/").header("Origin", "https://ui.example.org"))) {
      assertThat(response.code()).isEqualTo(200);
      assertThat(mediaType(response)).isEqualTo("text/plain;charset=utf-8");
      assertThat(response.header("Access-Control-Allow-Origin")).isEqualTo("*");
      assertThat(response.header("Access-Control-Allow-Credentials")).isNull();
      assertThat(response.body().string()).isEqualTo("Ollama is running");
    }
    try (Response response = call(new Request.Builder().url(proxyUrl + "/").head())) {
      assertThat(response.code()).isEqualTo(200);
      assertThat(response.body().string()).isEmpty();
    }
    assertThat(backend.getRequestCount()).isZero();
  }

  @Test
  void browserOnALocalPageGetsThePreflightAndTheAnswerItNeeds() throws Exception {
    MockWebServer backend = startBackend(new MockResponse.Builder().addHeader("Content-Type", "application/json")
        .addHeader("Access-Control-Allow-Origin", "*").body("{\"done\":true}").build());
    configure(List.of(backend));
    String origin = "http://localhost:5173";

    // What a browser sends before a JSON POST with openai-node's headers.
    try (Response preflight = call(new Request.Builder().url(proxyUrl + "/api/chat").method("OPTIONS", null)
        .header("Origin", origin)
        .header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", "content-type,x-stainless-os"))) {
      assertThat(preflight.code()).isEqualTo(204);
      assertThat(preflight.headers("Access-Control-Allow-Origin")).containsExactly(origin);
      assertThat(preflight.header("Access-Control-Allow-Methods")).contains("POST");
      assertThat(preflight.header("Access-Control-Allow-Headers")).contains("content-type").contains("x-stainless-os");
      assertThat(preflight.header("Access-Control-Allow-Credentials")).isNull();
    }
    try (Response response = call(post("/api/chat", "{\"model\":\"llama3\",\"messages\":[]}").header("Origin", origin))) {
      assertThat(response.code()).isEqualTo(200);
      assertThat(response.headers("Access-Control-Allow-Origin")).as("ours only, not the backend's too")
          .containsExactly(origin);
      assertThat(response.headers("Vary")).anySatisfy(vary -> assertThat(vary).containsIgnoringCase("Origin"));
      assertThat(response.header("Access-Control-Expose-Headers")).isNotNull();
      assertThat(response.header("Access-Control-Allow-Credentials")).isNull();
    }
    assertThat(backend.getRequestCount()).as("the preflight is answered by the proxy").isEqualTo(1);
  }

  @Test
  void browserOnAPageOfAnOriginNotAllowedIsRefusedWith403AndNothingIsForwarded() throws Exception {
    MockWebServer backend = startBackend(new MockResponse.Builder().body("{}").build());
    configure(List.of(backend));
    String origin = "https://evil.example";

    try (Response preflight = call(new Request.Builder().url(proxyUrl + "/api/pull").method("OPTIONS", null)
        .header("Origin", origin).header("Access-Control-Request-Method", "POST"))) {
      assertThat(preflight.code()).isEqualTo(403);
      assertThat(preflight.header("Access-Control-Allow-Origin")).isNull();
    }
    // A "simple" request a page can make without a preflight.
    try (Response response = call(new Request.Builder().url(proxyUrl + "/api/pull").header("Origin", origin)
        .post(RequestBody.create("{\"model\":\"llama3\"}", MediaType.get("text/plain"))))) {
      assertThat(response.code()).isEqualTo(403);
      assertThat(response.header("Access-Control-Allow-Origin")).isNull();
      assertThat(response.body().string()).contains("origin 'https://evil.example' is not allowed");
    }
    assertThat(backend.getRequestCount()).isZero();
  }

  // ---- frontends and balancing ----

  @Test
  void exactHostMatchWinsOverCatchAllIgnoringCaseAndPort() throws Exception {
    MockWebServer exact = startBackend(new MockResponse.Builder().body("exact").build());
    MockWebServer any = startBackend(new MockResponse.Builder().body("any").build());
    store.putBackend(backendFor("exact", exact));
    store.putBackend(backendFor("any", any));
    store.putFrontend(Frontend.builder("named").hostname("Api.Example.com").backends(List.of("exact")).build());
    store.putFrontend(Frontend.builder("catch-all").backends(List.of("any")).build());
    cluster.reload();

    assertThat(bodyForHost("api.example.com:8443")).isEqualTo("exact");
    assertThat(bodyForHost("API.EXAMPLE.COM")).isEqualTo("exact");
    assertThat(bodyForHost("other.example.com")).isEqualTo("any");
  }

  @Test
  void hostThatNoFrontendServesGets400NamingTheHost() throws Exception {
    MockWebServer backend = startBackend(new MockResponse.Builder().body("{}").build());
    store.putBackend(backendFor("b1", backend));
    store.putFrontend(Frontend.builder("named").hostname("api.example.com").backends(List.of("b1")).build());
    cluster.reload();

    try (Response response = call(showRequest().header("Host", "elsewhere.test"))) {
      assertThat(response.code()).isEqualTo(400);
      assertThat(response.body().string()).isEqualTo("{\"error\":\"no frontend serves host 'elsewhere.test'\"}");
    }
    assertThat(backend.getRequestCount()).isZero();
  }

  @Test
  void roundRobinSpreadsRequestsEvenlyAndInTurnAcrossThreeBackends() throws Exception {
    List<MockWebServer> three = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      String name = "b" + i;
      three.add(startBackend(new Dispatcher() {
        @Override
        public MockResponse dispatch(RecordedRequest request) {
          return new MockResponse.Builder().body(name).build();
        }
      }));
    }
    configure(three);

    List<String> answers = new ArrayList<>();
    for (int i = 0; i < 30; i++) answers.add(bodyForHost("localhost"));
    Map<String, Integer> counts = new HashMap<>();
    answers.forEach(a -> counts.merge(a, 1, Integer::sum));
    assertThat(counts).containsOnly(Map.entry("b1", 10), Map.entry("b2", 10), Map.entry("b3", 10));
    assertThat(answers.subList(0, 6)).containsExactly("b1", "b2", "b3", "b1", "b2", "b3");
  }

  @Test
  void configurationChangesInTheStoreApplyWithoutRestart() throws Exception {
    MockWebServer first = startBackend(new MockResponse.Builder().body("first").build());
    MockWebServer second = startBackend(new MockResponse.Builder().body("second").build());
    configure(List.of(first));
    assertThat(bodyForHost("localhost")).isEqualTo("first");

    store.putBackend(backendFor("b1", second));
    cluster.reload();
    assertThat(bodyForHost("localhost")).isEqualTo("second");
  }

  // ---- bad input and refusals ----

  @Test
  void malformedJsonGets400NamingTheProblemAndNeverReachesABackend() throws Exception {
    MockWebServer backend = startBackend(new MockResponse.Builder().body("{}").build());
    configure(List.of(backend));
    try (Response response = call(post("/api/chat", "{\"messages\": [ {\"role\": }"))) {
      assertThat(response.code()).isEqualTo(400);
      assertThat(mediaType(response)).isEqualTo("application/json;charset=utf-8");
      assertThat(response.body().string()).startsWith("{\"error\":\"malformed JSON in request body: ").contains("line 1");
    }
    assertThat(backend.getRequestCount()).isZero();
  }

  @Test
  void missingModelGets400InTheCallersDialect() throws Exception {
    MockWebServer backend = startBackend(new MockResponse.Builder().body("{}").build());
    configure(List.of(backend));
    try (Response response = call(post("/api/generate", "{\"prompt\":\"hi\"}"))) {
      assertThat(response.code()).isEqualTo(400);
      assertThat(response.body().string()).isEqualTo("{\"error\":\"model is required\"}");
    }
    try (Response response = call(post("/v1/chat/completions", "{\"messages\":[]}"))) {
      assertThat(response.code()).isEqualTo(400);
      assertThat(response.body().string()).isEqualTo("{\"error\":{\"message\":\"model is required\","
          + "\"type\":\"invalid_request_error\",\"param\":null,\"code\":\"bad_request\"}}");
    }
    try (Response response = call(post("/api/chat", ""))) {
      assertThat(response.code()).isEqualTo(400);
      assertThat(response.body().string()).isEqualTo("{\"error\":\"missing request body\"}");
    }
    assertThat(backend.getRequestCount()).isZero();
  }

  static Stream<Arguments> fieldsOfTheWrongType() {
    return Stream.of(
        Arguments.of("/api/chat", "{\"model\":\"llama3\",\"stream\":\"yes\",\"messages\":[]}",
            "stream: expected a boolean, got a string"),
        Arguments.of("/api/chat", "{\"stream\":1,\"model\":\"llama3\",\"messages\":[]}",
            "stream: expected a boolean, got a number"),
        Arguments.of("/api/generate", "{\"model\":[\"llama3\"],\"stream\":false}", "model: expected a string, got an array"),
        Arguments.of("/v1/chat/completions", "{\"model\":\"llama3\",\"messages\":[],\"stream\":\"true\"}",
            "stream: expected a boolean, got a string"));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("fieldsOfTheWrongType")
  void fieldOfTheWrongTypeGets400NamingItAndNeverReachesABackend(String path, String body, String message)
      throws Exception {
    MockWebServer backend = startBackend(new MockResponse.Builder().body("{}").build());
    configure(List.of(backend), dialectOf(path));
    try (Response response = call(post(path, body))) {
      assertThat(response.code()).isEqualTo(400);
      assertThat(response.body().string()).contains(message);
    }
    assertThat(backend.getRequestCount()).isZero();
  }

  @Test
  void wrongMethodGets405WithAllowAndUnknownRouteGets404() throws Exception {
    MockWebServer backend = startBackend(new MockResponse.Builder().body("{}").build());
    configure(List.of(backend));
    try (Response response = call(new Request.Builder().url(proxyUrl + "/api/chat"))) {
      assertThat(response.code()).isEqualTo(405);
      assertThat(response.header("Allow")).isEqualTo("POST");
      assertThat(response.body().string()).isEqualTo(
          "{\"error\":\"method GET is not allowed on /api/chat (allowed: POST)\"}");
    }
    try (Response response = call(new Request.Builder().url(proxyUrl + "/api/nothing"))) {
      assertThat(response.code()).isEqualTo(404);
      assertThat(response.body().string()).isEqualTo("{\"error\":\"no route for GET /api/nothing\"}");
    }
    try (Response response = call(new Request.Builder().url(proxyUrl + "/v1/nothing"))) {
      assertThat(response.code()).isEqualTo(404);
      assertThat(response.body().string()).contains("\"type\":\"not_found_error\"");
    }
    assertThat(backend.getRequestCount()).isZero();
  }

  @Test
  void bodyLargerThanMaxRequestBodySizeGets413BeforeAnythingIsForwarded() throws Exception {
    MockWebServer backend = startBackend(new MockResponse.Builder().body("{}").build());
    store.putBackend(backendFor("b1", backend));
    store.putFrontend(Frontend.builder("f1").backends(List.of("b1")).maxRequestBodySize(1000).build());
    cluster.reload();

    try (Response response = call(new Request.Builder().url(proxyUrl + "/api/chat")
        .post(RequestBody.create(chatWithPromptOfBytes(5000, true), JSON)))) {
      assertThat(response.code()).isEqualTo(413);
      assertThat(response.body().string()).contains("MaxRequestBodySize of frontend 'f1' (1000 bytes)");
    }
    assertThat(backend.getRequestCount()).isZero();
  }

  @Test
  void disallowedRequestKindsGet403AndInactiveFrontendGets503() throws Exception {
    MockWebServer backend = startBackend(new MockResponse.Builder().body("{}").build());
    store.putBackend(backendFor("b1", backend).toBuilder().allowCompletions(false).build());
    store.putFrontend(Frontend.builder("f1").backends(List.of("b1")).allowEmbeddings(false).build());
    cluster.reload();

    try (Response response = call(post("/api/embed", "{\"model\":\"m\",\"input\":\"x\"}"))) {
      assertThat(response.code()).isEqualTo(403);
      assertThat(response.body().string()).isEqualTo("{\"error\":\"frontend 'f1' does not allow embeddings requests\"}");
    }
    try (Response response = call(post("/api/chat", "{\"model\":\"m\"}"))) {
      assertThat(response.code()).isEqualTo(403);
      assertThat(response.body().string()).contains("every backend of frontend 'f1' disallows completions");
    }
    store.putFrontend(store.frontend("f1").orElseThrow().toBuilder().active(false).build());
    cluster.reload();
    try (Response response = call(new Request.Builder().url(proxyUrl + "/api/tags"))) {
      assertThat(response.code()).isEqualTo(503);
      assertThat(response.header("Retry-After")).isEqualTo("1");
      assertThat(response.body().string()).contains("frontend 'f1' is inactive");
    }
    assertThat(backend.getRequestCount()).isZero();
  }

  @Test
  void http10RequestsGet426WithUpgradeInTheCallersDialectUnlessTheFrontendTurnsBlockHttp10Off() throws Exception {
    MockWebServer backend = startBackend(new MockResponse.Builder().body("{\"response\":\"served\",\"done\":true}").build());
    configure(List.of(backend));
    String generate = "{\"model\":\"llama3\",\"prompt\":\"hi\"}";

    String ollama = http10Exchange("/api/generate", generate);
    assertThat(ollama).matches("(?s)HTTP/1\\.[01] 426 .*").containsIgnoringCase("\nUpgrade: HTTP/1.1\r\n")
        .endsWith("{\"error\":\"frontend 'f1' refuses HTTP/1.0 requests (BlockHttp10): send HTTP/1.1"
            + " (behind nginx: proxy_http_version 1.1)\"}");
    String openAi = http10Exchange("/v1/chat/completions", "{\"model\":\"llama3\",\"messages\":[]}");
    assertThat(openAi).matches("(?s)HTTP/1\\.[01] 426 .*").contains("\"code\":\"upgrade_required\"");
    assertThat(backend.getRequestCount()).as("refused before anything is forwarded").isZero();

    store.putFrontend(store.frontend("f1").orElseThrow().toBuilder().blockHttp10(false).build());
    cluster.reload();
    assertThat(http10Exchange("/api/generate", generate)).matches("(?s)HTTP/1\\.[01] 200 .*").endsWith("\"served\",\"done\":true}");
    try (Response response = call(post("/api/generate", generate))) {
      assertThat(response.code()).as("HTTP/1.1 is served either way").isEqualTo(200);
    }
    assertThat(backend.getRequestCount()).isEqualTo(2);
  }

  /** One HTTP/1.0 POST on its own connection; the whole answer as text, head and body. */
  private String http10Exchange(String path, String body) throws IOException {
    java.net.URI uri = java.net.URI.create(proxyUrl);
    try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
      socket.setSoTimeout(10_000);
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      OutputStream out = socket.getOutputStream();
      out.write(("POST " + uri.getRawPath() + path + " HTTP/1.0\r\nHost: localhost\r\nContent-Type: application/json\r\n"
          + "Connection: close\r\nContent-Length: " + bytes.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(bytes);
      out.flush();
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void ollamaRouteWithoutTranslationOnAFrontendWithOnlyOpenAiBackendsGets503Explaining() throws Exception {
    MockWebServer backend = startBackend(new MockResponse.Builder().body("{}").build());
    configure(List.of(backend), ApiFormat.OPENAI);

    try (Response response = call(post("/api/pull", "{\"model\":\"m\"}"))) {
      assertThat(response.code()).isEqualTo(503);
      assertThat(response.body().string()).contains("serves /api/pull").contains("speaking the Ollama API");
    }
    assertThat(backend.getRequestCount()).isZero();
  }

  @Test
  void backendErrorsPassThroughUnchanged() throws Exception {
    MockWebServer backend = startBackend(new MockResponse.Builder().code(404)
        .addHeader("Content-Type", "application/json; charset=utf-8")
        .body("{\"error\":\"model 'nope' not found\"}").build());
    configure(List.of(backend));
    try (Response response = call(post("/api/chat", "{\"model\":\"nope\"}"))) {
      assertThat(response.code()).isEqualTo(404);
      assertThat(response.body().string()).isEqualTo("{\"error\":\"model 'nope' not found\"}");
    }
  }

  @Test
  void refusedConnectionGets502NamingTheBackend() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    store.putBackend(Backend.builder("gone").hostname("127.0.0.1").port(closedPort).build());
    store.putFrontend(Frontend.builder("f1").backends(List.of("gone")).build());
    cluster.reload();
    try (Response response = call(post("/api/chat", "{\"model\":\"m\"}"))) {
      assertThat(response.code()).isEqualTo(502);
      assertThat(response.body().string())
          .isEqualTo("{\"error\":\"backend 'gone' (http://127.0.0.1:" + closedPort + ") refused the connection\"}");
    }
  }

  @Test
  void backendSilentLongerThanTimeoutMsGets504() throws Exception {
    MockWebServer backend = startBackend(new MockResponse.Builder().headersDelay(3, TimeUnit.SECONDS).body("{}").build());
    store.putBackend(backendFor("slow", backend));
    store.putFrontend(Frontend.builder("f1").backends(List.of("slow")).timeoutMs(300).build());
    cluster.reload();
    long start = System.nanoTime();
    try (Response response = call(post("/api/chat", "{\"model\":\"m\"}"))) {
      assertThat(response.code()).isEqualTo(504);
      assertThat(response.body().string()).contains("sent no response within 300 ms");
    }
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(2500);
  }

  @Test
  void listenerSeesEachStageOfASuccessfulAndAFailedRequest() throws Exception {
    MockWebServer backend = startBackend(new MockResponse.Builder().body("{}").build());
    configure(List.of(backend));
    call(showRequest()).close();
    call(new Request.Builder().url(proxyUrl + "/api/nothing")).close();
    assertThat(listener.events).containsExactly(
        "started POST /api/show",
        "selected b1 by round-robin",
        "firstByte 200",
        "finished POST /api/show b1 200",
        "failed 404 no route for GET /api/nothing");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"Content-Length: 100", "Transfer-Encoding: chunked"})
  void answerTheBackendCutsShortIsAnErrorForTheClientNeverACompleteBody(String framing) throws Exception {
    String part = "{\"message\":{\"role\":\"assistant\",\"conte";
    String body = framing.startsWith("Transfer") ? "64\r\n" + part : part;
    try (RawBackend cutting = new RawBackend((method, path, n, out) -> {
      out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" + framing + "\r\n\r\n" + body)
          .getBytes(StandardCharsets.ISO_8859_1));
      return false;
    })) {
      store.putBackend(Backend.builder("b1").hostname("127.0.0.1").port(cutting.port()).build());
      store.putFrontend(Frontend.builder("f1").backends(List.of("b1")).build());
      cluster.reload();

      try (Response r = call(post("/api/chat", "{\"model\":\"m\",\"stream\":false}"))) {
        assertThat(r.code()).isEqualTo(200);
        assertThatThrownBy(() -> r.body().string()).isInstanceOf(IOException.class);
      }
    }
  }

  // ---- helpers ----

  private MockWebServer startBackend(MockResponse response) throws Exception {
    MockWebServer server = new MockWebServer();
    server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        return response;
      }
    });
    server.start(InetAddress.getLoopbackAddress(), 0);
    backends.add(server);
    return server;
  }

  private MockWebServer startBackend(Dispatcher dispatcher) throws Exception {
    MockWebServer server = new MockWebServer();
    server.setDispatcher(dispatcher);
    server.start(InetAddress.getLoopbackAddress(), 0);
    backends.add(server);
    return server;
  }

  private static Backend backendFor(String id, MockWebServer server) {
    return Backend.builder(id).hostname("127.0.0.1").port(server.getPort()).build();
  }

  /** One catch-all frontend "f1" over Ollama-format backends b1..bn. */
  private void configure(List<MockWebServer> servers) {
    configure(servers, ApiFormat.OLLAMA);
  }

  /** One catch-all frontend "f1" over backends b1..bn of one format. */
  private void configure(List<MockWebServer> servers, ApiFormat format) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < servers.size(); i++) {
      String id = "b" + (i + 1);
      store.putBackend(backendFor(id, servers.get(i)).toBuilder().apiFormat(format).build());
      ids.add(id);
    }
    store.putFrontend(Frontend.builder("f1").backends(ids).build());
    cluster.reload();
  }

  /** A route is relayed untranslated only to backends of the route's own dialect. */
  private static ApiFormat dialectOf(String path) {
    return path.startsWith("/v1/") ? ApiFormat.OPENAI : ApiFormat.OLLAMA;
  }

  private Request.Builder post(String path, String body) {
    return new Request.Builder().url(proxyUrl + path).post(RequestBody.create(body, JSON));
  }

  /** A request one backend answers, whatever it answers. */
  private Request.Builder showRequest() {
    return post("/api/show", "{\"model\":\"llama3\"}");
  }

  private Response call(Request.Builder request) throws Exception {
    return client.newCall(request.build()).execute();
  }

  private String bodyForHost(String host) throws Exception {
    try (Response response = call(showRequest().header("Host", host))) {
      return response.body().string();
    }
  }

  /** A chat request whose prompt is {@code size} bytes, with the model first or last. */
  private static byte[] chatWithPromptOfBytes(int size, boolean modelFirst) {
    String prompt = "x".repeat(size);
    String messages = "\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt + "\"}]";
    String json = modelFirst ? "{\"model\":\"llama3\"," + messages + "}" : "{" + messages + ",\"model\":\"llama3\"}";
    return json.getBytes(StandardCharsets.UTF_8);
  }

  /** The Content-Type without spaces around ';': servlet containers normalise it, clients do not care. */
  private static String mediaType(Response response) {
    return response.header("Content-Type").replaceAll("\\s*;\\s*", ";");
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }
}
