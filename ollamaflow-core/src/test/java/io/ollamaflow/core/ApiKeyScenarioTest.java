package io.ollamaflow.core;

import static io.ollamaflow.core.testing.ScenarioHarness.JSON;
import static io.ollamaflow.core.testing.ScenarioHarness.backendFor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ollamaflow.api.ApiKey;
import io.ollamaflow.api.ApiKeyUsage;
import io.ollamaflow.api.ErrorCode;
import io.ollamaflow.api.FlowException;
import io.ollamaflow.api.Frontend;
import io.ollamaflow.core.inprocess.ChatRequest;
import io.ollamaflow.core.inprocess.Message;
import io.ollamaflow.core.testing.SwitchableLiveState;
import io.ollamaflow.core.testing.Eventually;
import io.ollamaflow.core.testing.ManualClock;
import io.ollamaflow.core.testing.ScenarioHarness;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * API keys on the inference routes, through real sockets: every refusal in both dialects, limits
 * over an injected clock, the client's key kept from the backend, and usage reaching the store.
 */
class ApiKeyScenarioTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final String SECRET = "sk-flow-test-0123456789abcdef";
  private static final String OTHER_SECRET = "sk-flow-other-0123456789abcdef";
  private static final String CHAT = "{\"model\":\"llama3\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream\":false}";
  private static final String OLLAMA_ANSWER = "{\"model\":\"llama3\",\"message\":{\"role\":\"assistant\",\"content\":\"hello\"},"
      + "\"done\":true,\"total_duration\":5000000,\"eval_duration\":4000000,\"prompt_eval_count\":10,\"eval_count\":20}";
  /** 15 s into a minute, so the current window ends in 45 s. */
  private static final Instant START = Instant.parse("2026-01-01T10:00:15Z");

  private final ManualClock clock = new ManualClock(START);
  private final ScenarioHarness harness = new ScenarioHarness();
  private final List<RecordedRequest> seen = new CopyOnWriteArrayList<>();
  private MockWebServer backend;

  @AfterEach
  void close() {
    harness.close();
  }

  private void start(boolean requireApiKey, ApiKey... keys) throws Exception {
    start(requireApiKey, b -> {}, keys);
  }

  private void start(boolean requireApiKey, Consumer<FlowCluster.Builder> options, ApiKey... keys) throws Exception {
    harness.start(b -> options.accept(b.disableActiveHealthChecks().clock(clock)));
    backend = harness.backend(recording(new MockResponse.Builder().addHeader("Content-Type", "application/json")
        .body(OLLAMA_ANSWER).build()));
    for (ApiKey key : keys) harness.store.putApiKey(key);
    harness.configure(Frontend.builder("f1").requireApiKey(requireApiKey)
        .modelAliases(Map.of("gpt-4o", "llama3:70b")), backendFor("b1", backend).bearerToken("backend-own-token").build());
  }

  private Dispatcher recording(MockResponse response) {
    return new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        seen.add(request);
        return response;
      }
    };
  }

  /** Records each request and holds its answer until {@code release}; {@code arrived} counts requests in. */
  private Dispatcher held(CountDownLatch arrived, CountDownLatch release, MockResponse response) {
    return new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
        seen.add(request);
        arrived.countDown();
        release.await(10, TimeUnit.SECONDS);
        return response;
      }
    };
  }

  /** Sends {@code times} chats with the key that must each be answered 200, waiting for each to be counted. */
  private void chatsAnswered(int times) throws Exception {
    for (int i = 0; i < times; i++) {
      try (Response ok = chat("/api/chat", bearer(SECRET))) {
        assertThat(ok.code()).isEqualTo(200);
      }
      awaitEnded("k1", i + 1);
    }
  }

  private static ApiKey.Builder key(String id, String secret) {
    return ApiKey.builder(id).secret(secret).createdUtc(START.minusSeconds(3600));
  }

  private Response chat(String path, UnaryOperator<Request.Builder> headers) throws Exception {
    String body = path.startsWith("/v1/")
        ? "{\"model\":\"llama3\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}" : CHAT;
    return chat(path, body, headers);
  }

  private Response chat(String path, String body, UnaryOperator<Request.Builder> headers) throws Exception {
    return harness.call(headers.apply(new Request.Builder().url(harness.url(path)).post(RequestBody.create(body, JSON))));
  }

  /**
   * Waits until the key's usage counts {@code ended} requests and refusals: a request's slot,
   * tokens and usage are counted as it ends, just after its answer reached the client.
   */
  private void awaitEnded(String id, long ended) throws Exception {
    Eventually.until(Duration.ofSeconds(5), id + " counted " + ended + " requests", () -> harness.cluster().admin()
        .apiKeyUsage().stream().anyMatch(u -> u.identifier().equals(id) && u.requests() + u.refusals() == ended));
  }

  private static UnaryOperator<Request.Builder> bearer(String secret) {
    return r -> r.header("Authorization", "Bearer " + secret);
  }

  /** Status, Ollama body and OpenAI body of one refusal, asserted for both dialects. */
  private void assertRefused(UnaryOperator<Request.Builder> headers, int status, String code, String message)
      throws Exception {
    try (Response ollama = chat("/api/chat", headers)) {
      String body = ollama.body().string();
      assertThat(ollama.code()).as(body).isEqualTo(status);
      assertThat(MAPPER.readTree(body).get("error").asText()).isEqualTo(message);
      assertThat(body).doesNotContain(SECRET).doesNotContain(OTHER_SECRET);
      if (status == 401) assertThat(ollama.header("WWW-Authenticate")).isEqualTo("Bearer");
    }
    try (Response openAi = chat("/v1/chat/completions", headers)) {
      String body = openAi.body().string();
      assertThat(openAi.code()).as(body).isEqualTo(status);
      JsonNode error = MAPPER.readTree(body).get("error");
      assertThat(error.get("code").asText()).isEqualTo(code);
      assertThat(error.get("message").asText()).isEqualTo(message);
      assertThat(body).doesNotContain(SECRET).doesNotContain(OTHER_SECRET);
    }
    assertThat(seen).as("a refused request never reaches the backend").isEmpty();
  }

  @Test
  void aFrontendRequiringAKeyRefusesARequestWithoutOneIn401OfBothDialects() throws Exception {
    start(true, key("k1", SECRET).build());
    assertRefused(r -> r, 401, "invalid_api_key",
        "frontend 'f1' requires an API key: send Authorization: Bearer <key> or X-Api-Key: <key>");
    try (Response openAi = chat("/v1/chat/completions", r -> r)) {
      assertThat(MAPPER.readTree(openAi.body().string()).get("error").get("type").asText()).isEqualTo("authentication_error");
    }
    try (Response listing = harness.get("/api/tags")) {
      assertThat(listing.code()).as("listings need the key too").isEqualTo(401);
    }
  }

  @Test
  void unknownMalformedInactiveAndExpiredKeysAre401sNamingWhatWasWrongWithoutEchoingTheSecret() throws Exception {
    start(true, key("k1", SECRET).active(false).build(), key("k2", OTHER_SECRET).expiresUtc(START.minusSeconds(1)).build());
    assertRefused(bearer("sk-not-a-configured-key-0000"), 401, "invalid_api_key", "the API key in Authorization is not valid");
    assertRefused(r -> r.header("X-Api-Key", "sk-not-a-configured-key-0000"), 401, "invalid_api_key",
        "the API key in X-Api-Key is not valid");
    assertRefused(r -> r.header("Authorization", "Basic c2VjcmV0"), 401, "invalid_api_key",
        "Authorization does not carry an API key (expected: Bearer <key>)");
    assertRefused(r -> r.header("Authorization", "Bearer "), 401, "invalid_api_key", "the API key in Authorization is empty");
    assertRefused(bearer("k".repeat(300)), 401, "invalid_api_key",
        "the API key in Authorization is longer than 256 characters");
    assertRefused(r -> r.header("Authorization", "Bearer " + SECRET).header("X-Api-Key", OTHER_SECRET), 401,
        "invalid_api_key", "Authorization and X-Api-Key carry different keys; send one");
    assertRefused(bearer(SECRET), 401, "invalid_api_key", "API key 'k1' is inactive");
    assertRefused(r -> r.header("X-Api-Key", OTHER_SECRET), 401, "invalid_api_key",
        "API key 'k2' expired at 2026-01-01T10:00:14Z");
  }

  @Test
  void aKeyLimitedToOtherFrontendsIsRefused403() throws Exception {
    start(true, key("k1", SECRET).frontends(List.of("f2")).build());
    assertRefused(bearer(SECRET), 403, "frontend_not_allowed", "API key 'k1' may not use frontend 'f1'");
  }

  @Test
  void aKeyIsRefused403ForAModelOutsideItsListWhichTakesExactNamesGlobsAndAliasesEitherWay() throws Exception {
    start(true, key("k1", SECRET).models(List.of("mistral*", "qwen2:7b")).build(),
        key("k2", OTHER_SECRET).models(List.of("llama3:70b")).build());
    assertRefused(bearer(SECRET), 403, "model_not_allowed", "API key 'k1' may not use model 'llama3'");
    try (Response glob = chat("/api/chat", CHAT.replace("llama3", "mistral:7b"), bearer(SECRET));
        Response exact = chat("/api/chat", CHAT.replace("llama3", "Qwen2:7b"), bearer(SECRET))) {
      assertThat(glob.code()).isEqualTo(200);
      assertThat(exact.code()).as("names compare as Ollama compares them").isEqualTo(200);
    }
    // k2 lists the alias's target: the alias reaches the same model and is allowed; other names are not.
    try (Response alias = chat("/api/chat", CHAT.replace("llama3", "gpt-4o"), bearer(OTHER_SECRET));
        Response other = chat("/api/chat", CHAT.replace("llama3", "llama3:8b"), bearer(OTHER_SECRET))) {
      assertThat(alias.code()).isEqualTo(200);
      assertThat(other.code()).isEqualTo(403);
    }
    assertThat(seen).hasSize(3);
    assertThat(seen.get(2).getBody().utf8()).contains("\"llama3:70b\"");
  }

  @Test
  void aKeyListingAnAliasMayUseTheAliasButNotItsTargetByItsOwnName() throws Exception {
    start(true, key("k1", SECRET).models(List.of("gpt-4o")).build());
    try (Response alias = chat("/api/chat", CHAT.replace("llama3", "gpt-4o"), bearer(SECRET));
        Response target = chat("/api/chat", CHAT.replace("llama3", "llama3:70b"), bearer(SECRET))) {
      assertThat(alias.code()).isEqualTo(200);
      assertThat(target.code()).isEqualTo(403);
    }
  }

  @Test
  void listingsShowAKeyOnlyTheModelsItMayUseAliasesIncluded() throws Exception {
    harness.start(b -> b.disableActiveHealthChecks().clock(clock));
    String tags = "{\"models\":[{\"name\":\"llama3:70b\",\"model\":\"llama3:70b\"},"
        + "{\"name\":\"mistral:7b\",\"model\":\"mistral:7b\"},{\"name\":\"qwen2:7b\",\"model\":\"qwen2:7b\"}]}";
    backend = harness.backend(new MockResponse.Builder().addHeader("Content-Type", "application/json").body(tags).build());
    harness.store.putApiKey(key("k1", SECRET).models(List.of("mistral*", "gpt-4o")).build());
    harness.store.putApiKey(key("k2", OTHER_SECRET).build());
    harness.configure(Frontend.builder("f1").requireApiKey(true).modelAliases(Map.of("gpt-4o", "llama3:70b")),
        backendFor("b1", backend).build());

    assertThat(listed("/api/tags", "models", "name", SECRET)).containsExactlyInAnyOrder("mistral:7b", "gpt-4o");
    assertThat(listed("/v1/models", "data", "id", SECRET)).containsExactlyInAnyOrder("mistral:7b", "gpt-4o");
    assertThat(listed("/api/tags", "models", "name", OTHER_SECRET)).as("a key without a model list sees everything")
        .containsExactlyInAnyOrder("llama3:70b", "mistral:7b", "qwen2:7b", "gpt-4o");
  }

  private List<String> listed(String path, String array, String field, String secret) throws Exception {
    try (Response response = harness.call(bearer(secret).apply(new Request.Builder().url(harness.url(path))))) {
      assertThat(response.code()).isEqualTo(200);
      List<String> names = new ArrayList<>();
      MAPPER.readTree(response.body().string()).path(array).forEach(entry -> names.add(entry.path(field).asText()));
      return names;
    }
  }

  @Test
  void requestsPerMinuteAre429WithRetryAfterUntilTheNextWindow() throws Exception {
    start(true, key("k1", SECRET).requestsPerMinute(2).build());
    chatsAnswered(2);
    String message = "API key 'k1' reached its RequestsPerMinute of 2";
    try (Response ollama = chat("/api/chat", bearer(SECRET)); Response openAi = chat("/v1/chat/completions", bearer(SECRET))) {
      assertThat(ollama.code()).isEqualTo(429);
      assertThat(ollama.header("Retry-After")).isEqualTo("45");
      assertThat(MAPPER.readTree(ollama.body().string()).get("error").asText()).isEqualTo(message);
      assertThat(openAi.code()).isEqualTo(429);
      assertThat(openAi.header("Retry-After")).isEqualTo("45");
      JsonNode error = MAPPER.readTree(openAi.body().string()).get("error");
      assertThat(error.get("code").asText()).isEqualTo("rate_limit_exceeded");
      assertThat(error.get("type").asText()).isEqualTo("rate_limit_error");
      assertThat(error.get("message").asText()).isEqualTo(message);
    }
    assertThat(seen).hasSize(2);
    clock.advance(Duration.ofSeconds(44));
    try (Response stillRefused = chat("/api/chat", bearer(SECRET))) {
      assertThat(stillRefused.code()).isEqualTo(429);
      assertThat(stillRefused.header("Retry-After")).isEqualTo("1");
    }
    clock.advance(Duration.ofSeconds(1));
    try (Response nextWindow = chat("/api/chat", bearer(SECRET))) {
      assertThat(nextWindow.code()).isEqualTo(200);
    }
  }

  @Test
  void tokensPerMinuteCountWhatTheBackendReportedAndRefuseOnceTheWindowReachedTheLimit() throws Exception {
    start(true, key("k1", SECRET).tokensPerMinute(50).build());
    // Each answer reports 10 prompt + 20 generated tokens: 30, then 60 >= 50.
    chatsAnswered(2);
    try (Response refused = chat("/v1/chat/completions", bearer(SECRET))) {
      assertThat(refused.code()).isEqualTo(429);
      assertThat(refused.header("Retry-After")).isEqualTo("45");
      assertThat(MAPPER.readTree(refused.body().string()).get("error").get("message").asText())
          .isEqualTo("API key 'k1' used 60 tokens this minute, its TokensPerMinute is 50");
    }
    clock.advance(Duration.ofSeconds(45));
    try (Response nextWindow = chat("/api/chat", bearer(SECRET))) {
      assertThat(nextWindow.code()).isEqualTo(200);
    }
  }

  @Test
  void concurrentRequestsBeyondTheKeysMaximumAre429AndTakeNoBackendSlot() throws Exception {
    CountDownLatch arrived = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    harness.start(b -> b.disableActiveHealthChecks().clock(clock));
    backend = harness.backend(held(arrived, release, new MockResponse.Builder().body(OLLAMA_ANSWER).build()));
    harness.store.putApiKey(key("k1", SECRET).maxConcurrentRequests(1).build());
    harness.configure(Frontend.builder("f1").requireApiKey(true), backendFor("b1", backend).maxParallelRequests(1).build());
    ExecutorService client = Executors.newSingleThreadExecutor();
    try {
      Future<Integer> first = client.submit(() -> {
        try (Response response = chat("/api/chat", bearer(SECRET))) {
          return response.code();
        }
      });
      assertThat(arrived.await(10, TimeUnit.SECONDS)).isTrue();
      try (Response second = chat("/v1/chat/completions", bearer(SECRET))) {
        assertThat(second.code()).isEqualTo(429);
        assertThat(second.header("Retry-After")).isEqualTo("1");
        assertThat(MAPPER.readTree(second.body().string()).get("error").get("message").asText())
            .isEqualTo("API key 'k1' has 1 requests in flight, its MaxConcurrentRequests");
      }
      assertThat(harness.cluster().queuedRequests("f1")).as("the refused request never queued for the backend").isZero();
      release.countDown();
      assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo(200);
      try (Response third = chat("/api/chat", bearer(SECRET))) {
        assertThat(third.code()).as("the slot was released").isEqualTo(200);
      }
      assertThat(seen).hasSize(2);
    } finally {
      release.countDown();
      client.shutdownNow();
    }
  }

  @Test
  void theClientsKeyNeverReachesTheBackendWhichGetsItsOwnBearerToken() throws Exception {
    start(true, key("k1", SECRET).build());
    try (Response viaBearer = chat("/api/chat", bearer(SECRET));
        Response viaHeader = chat("/v1/chat/completions", r -> r.header("X-Api-Key", SECRET));
        Response both = chat("/api/chat", r -> r.header("authorization", "bearer " + SECRET).header("x-api-key", SECRET))) {
      assertThat(List.of(viaBearer.code(), viaHeader.code(), both.code())).containsOnly(200);
    }
    assertThat(seen).hasSize(3);
    for (RecordedRequest request : seen) {
      assertThat(request.getHeaders().values("Authorization")).containsExactly("Bearer backend-own-token");
      assertThat(request.getHeaders().get("X-Api-Key")).isNull();
      assertThat(request.getHeaders().toString()).doesNotContain(SECRET);
    }
  }

  @Test
  void aConfiguredKeyOnAnOpenFrontendIsCheckedAndStrippedWhileAnyOtherCredentialPassesThrough() throws Exception {
    start(false, key("k1", SECRET).requestsPerMinute(1).build());
    harness.store.putBackend(backendFor("b1", backend).build()); // no BearerToken of its own
    harness.cluster().reload();
    try (Response anonymous = chat("/api/chat", r -> r);
        Response placeholder = chat("/v1/chat/completions", bearer("ollama"));
        Response keyed = chat("/api/chat", bearer(SECRET));
        Response overLimit = chat("/api/chat", bearer(SECRET))) {
      assertThat(anonymous.code()).isEqualTo(200);
      assertThat(placeholder.code()).as("an SDK's placeholder key is not ours").isEqualTo(200);
      assertThat(keyed.code()).isEqualTo(200);
      assertThat(overLimit.code()).as("a presented key's limits apply").isEqualTo(429);
    }
    try (Response ambiguous = chat("/api/chat", r -> r.header("Authorization", "Bearer ollama").header("X-Api-Key", SECRET))) {
      assertThat(ambiguous.code()).as("our key beside another: neither may be forwarded").isEqualTo(401);
    }
    assertThat(seen).hasSize(3);
    assertThat(seen.get(1).getHeaders().get("Authorization")).isEqualTo("Bearer ollama");
    assertThat(seen.get(2).getHeaders().get("Authorization")).isNull();
  }

  @Test
  void onAnOpenFrontendTwoDifferentKeyHeadersAreRefusedOnlyWhenOneCarriesOurKey() throws Exception {
    start(false, key("k1", SECRET).build());
    String overLong = "x".repeat(300);
    try (Response ours = chat("/api/chat", r -> r.header("Authorization", "Bearer " + overLong).header("X-Api-Key", SECRET));
        Response oursInBearer = chat("/api/chat", r -> r.header("Authorization", "Bearer " + SECRET).header("X-Api-Key", ""));
        Response neither = chat("/api/chat", r -> r.header("Authorization", "Bearer " + overLong).header("X-Api-Key", "ollama"))) {
      assertThat(ours.code()).as("our key beside an over-long value").isEqualTo(401);
      assertThat(MAPPER.readTree(ours.body().string()).get("error").asText())
          .isEqualTo("Authorization and X-Api-Key carry different keys; send one");
      assertThat(oursInBearer.code()).as("our key beside an empty X-Api-Key").isEqualTo(401);
      assertThat(neither.code()).as("neither is ours: not our business").isEqualTo(200);
    }
  }

  @Test
  void usageIsKeptInMemoryAndFlushedToTheStoreInBatchesAndOnClose() throws Exception {
    start(true, key("k1", SECRET).models(List.of("llama3")).build());
    Instant first = clock.instant();
    try (Response ok = chat("/api/chat", bearer(SECRET)); Response translated = chat("/v1/chat/completions", bearer(SECRET))) {
      assertThat(ok.code()).isEqualTo(200);
      assertThat(translated.code()).isEqualTo(200);
    }
    awaitEnded("k1", 2);
    clock.advance(Duration.ofSeconds(1));
    try (Response refused = chat("/api/chat", CHAT.replace("llama3", "mistral"), bearer(SECRET))) {
      assertThat(refused.code()).isEqualTo(403);
    }
    ApiKeyUsage expected = new ApiKeyUsage("k1", 2, 20, 40, 1, first);
    awaitEnded("k1", 3);
    assertThat(harness.cluster().admin().apiKeyUsage()).containsExactly(expected);
    assertThat(harness.store.apiKeyUsage()).as("not flushed before the interval").isEmpty();
    clock.advance(Duration.ofSeconds(5));
    Eventually.until(Duration.ofSeconds(5), "usage is flushed", () -> !harness.store.apiKeyUsage().isEmpty());
    assertThat(harness.store.apiKeyUsage()).containsExactly(expected);
    assertThat(harness.cluster().admin().apiKeyUsage()).as("not counted twice").containsExactly(expected);

    try (Response more = chat("/api/chat", bearer(SECRET))) {
      assertThat(more.code()).isEqualTo(200);
    }
    awaitEnded("k1", 4);
    harness.cluster().close();
    assertThat(harness.store.apiKeyUsage()).containsExactly(new ApiKeyUsage("k1", 3, 30, 60, 1, clock.instant()));
  }

  @Test
  void aKeyDeletedWhileItsStreamIsInFlightLetsTheStreamFinishAndRefusesTheNextRequest() throws Exception {
    CountDownLatch arrived = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    harness.start(b -> b.disableActiveHealthChecks().clock(clock));
    String stream = "{\"message\":{\"role\":\"assistant\",\"content\":\"a\"},\"done\":false}\n".repeat(20)
        + "{\"done\":true,\"prompt_eval_count\":3,\"eval_count\":20}\n";
    backend = harness.backend(held(arrived, release,
        new MockResponse.Builder().addHeader("Content-Type", "application/x-ndjson").chunkedBody(stream, 64).build()));
    harness.store.putApiKey(key("k1", SECRET).build());
    harness.configure(Frontend.builder("f1").requireApiKey(true), backendFor("b1", backend).build());
    ExecutorService client = Executors.newSingleThreadExecutor();
    try {
      Future<String> inFlight = client.submit(() -> {
        try (Response response = chat("/api/chat", CHAT.replace("false", "true"), bearer(SECRET))) {
          return response.code() + " " + response.body().string();
        }
      });
      assertThat(arrived.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(harness.store.removeApiKey("k1")).isTrue();
      harness.cluster().reload();
      release.countDown();
      assertThat(inFlight.get(10, TimeUnit.SECONDS)).isEqualTo("200 " + stream);
      try (Response next = chat("/api/chat", bearer(SECRET))) {
        assertThat(next.code()).isEqualTo(401);
      }
      assertThat(seen).hasSize(1);
    } finally {
      release.countDown();
      client.shutdownNow();
    }
  }

  @Test
  void tenThousandWrongKeysAreRefusedCheaplyAndGrowNothingPerKey() throws Exception {
    SwitchableLiveState live = new SwitchableLiveState(new InMemoryLiveState());
    start(true, b -> b.liveState(live), key("k1", SECRET).requestsPerMinute(5).tokensPerMinute(1000).build());
    int threads = 4;
    int perThread = 2_500;
    ExecutorService clients = Executors.newFixedThreadPool(threads);
    List<Future<List<Integer>>> results = new ArrayList<>();
    long started = System.nanoTime();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      results.add(clients.submit(() -> {
        List<Integer> codes = new ArrayList<>();
        for (int i = 0; i < perThread; i++) {
          try (Response response = chat("/api/chat", bearer("sk-wrong-" + thread + "-" + i + "-0123456789"))) {
            codes.add(response.code());
          }
        }
        return codes;
      }));
    }
    List<Integer> codes = new ArrayList<>();
    for (Future<List<Integer>> result : results) codes.addAll(result.get(120, TimeUnit.SECONDS));
    long millis = (System.nanoTime() - started) / 1_000_000;
    clients.shutdown();
    System.out.printf("10,000 wrong keys refused in %d ms over %d connections%n", millis, threads);
    assertThat(codes).hasSize(threads * perThread).containsOnly(401);
    assertThat(seen).isEmpty();
    assertThat(live.counterCalls).as("no counter per wrong key").hasValue(0);
    assertThat(harness.cluster().admin().apiKeyUsage()).as("no usage entry per wrong key")
        .containsExactly(new ApiKeyUsage("k1", 0, 0, 0, 0, null));
    assertThat(harness.cluster().admin().apiKeyRefusalsWithoutKey()).isEqualTo(threads * perThread);
    try (Response valid = chat("/api/chat", bearer(SECRET))) {
      assertThat(valid.code()).as("everyone else is still served").isEqualTo(200);
    }
  }

  @Test
  void aKeyWithTokenAndRequestLimitsCostsOneLiveStateCallToAdmit() throws Exception {
    SwitchableLiveState live = new SwitchableLiveState(new InMemoryLiveState());
    start(true, b -> b.liveState(live),
        key("k1", SECRET).requestsPerMinute(5).tokensPerMinute(1000).models(List.of("mistral")).build());

    try (Response refused = chat("/api/chat", bearer(SECRET))) {
      assertThat(refused.code()).as("admitted, then refused for its model: no tokens to count at its end").isEqualTo(403);
    }
    // Served after the first on the same kept-alive connection, so the first has ended (its key's end() included);
    // refused before any key is found, it makes no counter call itself.
    try (Response marker = chat("/api/chat", r -> r)) {
      assertThat(marker.code()).isEqualTo(401);
    }

    assertThat(live.counterCalls).as("counter calls to admit one request and end it").hasValue(1);
  }

  @Test
  void limitsHoldOnThisInstancesOwnCountWhenTheLiveStateFails() throws Exception {
    SwitchableLiveState broken = new SwitchableLiveState(new InMemoryLiveState());
    broken.down = true;
    start(true, b -> b.liveState(broken), key("k1", SECRET).requestsPerMinute(1).build());
    try (Response first = chat("/api/chat", bearer(SECRET)); Response second = chat("/api/chat", bearer(SECRET))) {
      assertThat(first.code()).isEqualTo(200);
      assertThat(second.code()).isEqualTo(429);
    }
  }

  @Test
  void keyRefusalsAreCountedInTheRefusalsMetricUnderBoundedLabels() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    start(true, b -> b.meterRegistry(registry), key("k1", SECRET).models(List.of("mistral")).build());
    for (int i = 0; i < 3; i++) {
      try (Response refused = chat("/api/chat", bearer("sk-wrong-number-" + i + "-0123456789"))) {
        assertThat(refused.code()).isEqualTo(401);
      }
    }
    try (Response refused = chat("/api/chat", bearer(SECRET))) {
      assertThat(refused.code()).isEqualTo(403);
    }
    Eventually.until(Duration.ofSeconds(5), "the 403 is counted", () -> registry.find("ollamaflow.refusals")
        .tag("reason", "model_not_allowed").counter() != null);
    assertThat(registry.get("ollamaflow.refusals").tags("status", "401", "reason", "invalid_api_key").counter().count())
        .isEqualTo(3);
    assertThat(registry.get("ollamaflow.refusals").tags("status", "403", "reason", "model_not_allowed").counter().count())
        .isEqualTo(1);
    assertThat(registry.find("ollamaflow.refusals").meters()).extracting(Meter::getId)
        .as("one series per reason, none per key").hasSize(2);
  }

  @Test
  void aKeyIssuedThroughTheAdminApiServesRequestsAndItsUsageShowsThereBeforeTheFlush() throws Exception {
    String admin = "Bearer admin-token";
    start(true, b -> b.adminBearerTokens(List.of("admin-token")));
    JsonNode created;
    try (Response response = harness.call(new Request.Builder().url(harness.url("/v1.0/apikeys")).header("Authorization", admin)
        .put(RequestBody.create("{\"Identifier\":\"ci\",\"Frontends\":[\"f1\"],\"Models\":[\"llama3*\"]}", JSON)))) {
      assertThat(response.code()).isEqualTo(201);
      created = MAPPER.readTree(response.body().string());
    }
    String secret = created.get("Secret").asText();
    try (Response ok = chat("/v1/chat/completions", bearer(secret))) {
      assertThat(ok.code()).isEqualTo(200);
    }
    awaitEnded("ci", 1);
    try (Response usage = harness.call(new Request.Builder().url(harness.url("/v1.0/apikeys/ci/usage")).header("Authorization", admin))) {
      JsonNode counts = MAPPER.readTree(usage.body().string());
      assertThat(counts.get("Requests").asLong()).isEqualTo(1);
      assertThat(counts.get("PromptTokens").asLong()).isEqualTo(10);
      assertThat(counts.get("CompletionTokens").asLong()).isEqualTo(20);
    }
    assertThat(harness.store.apiKeyUsage()).as("shown before it was flushed").isEmpty();
    try (Response rotated = harness.call(new Request.Builder().url(harness.url("/v1.0/apikeys/ci/rotate"))
        .header("Authorization", admin).post(RequestBody.create(new byte[0])))) {
      String renewed = MAPPER.readTree(rotated.body().string()).get("Secret").asText();
      try (Response old = chat("/api/chat", bearer(secret)); Response fresh = chat("/api/chat", bearer(renewed))) {
        assertThat(old.code()).isEqualTo(401);
        assertThat(fresh.code()).isEqualTo(200);
      }
    }
  }

  @Test
  void inProcessCallsPassTheKeyAsAHeaderAndAreCheckedLikeHttp() throws Exception {
    start(true, key("k1", SECRET).build());
    ChatRequest request = ChatRequest.builder("llama3").message(Message.user("hi")).build();
    assertThatThrownBy(() -> harness.cluster().chat(request))
        .isInstanceOfSatisfying(FlowException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_API_KEY));
    ChatRequest keyed = ChatRequest.builder("llama3").message(Message.user("hi"))
        .header("Authorization", "Bearer " + SECRET).build();
    assertThat(harness.cluster().chat(keyed).message().content()).isEqualTo("hello");
    assertThat(seen.get(0).getHeaders().values("Authorization")).containsExactly("Bearer backend-own-token");
  }
}
