package io.ollamaflow.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ollamaflow.api.Backend;
import io.ollamaflow.api.Frontend;
import io.ollamaflow.core.testing.AdminCalls;
import io.ollamaflow.core.testing.Chunks;
import io.ollamaflow.core.testing.Eventually;
import io.ollamaflow.core.testing.ScenarioHarness;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import mockwebserver3.MockResponse;
import mockwebserver3.MockResponseBody;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** OllamaFlow's REST admin API, driven with a real HTTP client through the cluster's own port. */
class AdminApiTest {
  private static final String TOKEN = "ollamaflowadmin";
  private static final String OTHER_TOKEN = "second-token";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ScenarioHarness harness = new ScenarioHarness();

  @BeforeEach
  void start() throws Exception {
    harness.start(b -> b.disableActiveHealthChecks().adminBearerTokens(List.of(TOKEN, OTHER_TOKEN)));
  }

  @AfterEach
  void stop() {
    harness.close();
  }

  // ---- frontends ----

  @Test
  void listsFrontendsNewestFirstAsIndentedPascalCaseJson() throws Exception {
    harness.store.putFrontend(Frontend.builder("older").hostname("a.example")
        .createdUtc(Instant.parse("2025-01-01T00:00:00Z")).build());
    harness.store.putFrontend(Frontend.builder("newer").hostname("b.example")
        .createdUtc(Instant.parse("2025-02-01T00:00:00.5Z")).build());

    try (Response response = admin("GET", "/v1.0/frontends", null)) {
      assertThat(response.code()).isEqualTo(200);
      assertThat(response.header("Content-Type")).startsWith("application/json");
      assertThat(response.header("Access-Control-Allow-Origin")).isEqualTo("*");
      assertThat(response.header("Access-Control-Expose-Headers")).isNotNull();
      String body = response.body().string();
      assertThat(body).startsWith("[\n  {\n    \"Identifier\": \"newer\",\n    \"Hostname\": \"b.example\",\n")
          .contains("\n    \"LoadBalancing\": \"RoundRobin\",\n")
          .contains("\n    \"Backends\": [],\n")
          .contains("\n    \"PinnedEmbeddingsProperties\": {},\n")
          .contains("\"CreatedUtc\": \"2025-02-01T00:00:00.500000Z\"")
          .doesNotContain("\"Name\"");
      assertThat(JSON.readTree(body).findValuesAsText("Identifier")).containsExactly("newer", "older");
    }
  }

  @Test
  void createsReadsChecksReplacesAndDeletesAFrontend() throws Exception {
    harness.store.putBackend(Backend.builder("b1").build());
    harness.store.putBackend(Backend.builder("b2").build());
    harness.cluster().reload();

    JsonNode created = json(admin("PUT", "/v1.0/frontends", "{\"Identifier\":\"f1\",\"Name\":\"Main\","
        + "\"Hostname\":\"chat.example\",\"Backends\":[\"b1\",\"b2\"],\"LoadBalancing\":\"Random\","
        + "\"UseStickySessions\":true,\"CreatedUtc\":\"2025-03-04T05:06:07.123456Z\"}"), 201);
    assertThat(created.get("Identifier").asText()).isEqualTo("f1");
    assertThat(created.get("LoadBalancing").asText()).isEqualTo("Random");
    assertThat(created.get("CreatedUtc").asText()).isEqualTo("2025-03-04T05:06:07.123456Z");
    assertThat(harness.store.frontend("f1").orElseThrow().backends()).containsExactly("b1", "b2");

    assertThat(json(admin("GET", "/v1.0/frontends/f1", null), 200)).isEqualTo(created);
    try (Response exists = admin("HEAD", "/v1.0/frontends/f1", null)) {
      assertThat(exists.code()).isEqualTo(200);
      assertThat(exists.body().string()).isEmpty();
    }

    // Full replacement: the id comes from the URL, fields left out revert to their defaults.
    JsonNode updated = json(admin("PUT", "/v1.0/frontends/f1",
        "{\"Identifier\":\"ignored\",\"Backends\":[\"b2\"],\"LoadBalancing\":\"least-requests\"}"), 200);
    assertThat(updated.get("Identifier").asText()).isEqualTo("f1");
    assertThat(updated.get("Hostname").asText()).isEqualTo("*");
    assertThat(updated.has("Name")).isFalse();
    assertThat(updated.get("UseStickySessions").asBoolean()).isFalse();
    assertThat(updated.get("LoadBalancing").asText()).isEqualTo("least-requests");
    assertThat(updated.get("CreatedUtc").asText()).isEqualTo("2025-03-04T05:06:07.123456Z");
    assertThat(Instant.parse(updated.get("LastUpdateUtc").asText())).isAfter(Instant.now().minusSeconds(60));
    assertThat(harness.store.frontend("ignored")).isEmpty();

    try (Response deleted = admin("DELETE", "/v1.0/frontends/f1", null)) {
      assertThat(deleted.code()).isEqualTo(204);
      assertThat(deleted.body().string()).isEmpty();
    }
    assertError(admin("GET", "/v1.0/frontends/f1", null), 404, "NotFound", "no frontend with identifier 'f1'");
    try (Response missing = admin("HEAD", "/v1.0/frontends/f1", null)) {
      assertThat(missing.code()).isEqualTo(404);
      assertThat(missing.body().string()).isEmpty();
    }
    assertError(admin("DELETE", "/v1.0/frontends/f1", null), 404, "NotFound", "no frontend with identifier 'f1'");
    assertError(admin("PUT", "/v1.0/frontends/f1", "{}"), 404, "NotFound", "no frontend with identifier 'f1'");
  }

  @Test
  void aFrontendCreatedThroughTheApiServesTheNextRequest() throws Exception {
    MockWebServer backend = harness.backend("{\"answer\":\"from b1\"}");
    json(admin("PUT", "/v1.0/backends", "{\"Identifier\":\"b1\",\"Hostname\":\"127.0.0.1\",\"Port\":"
        + backend.getPort() + "}"), 201);
    json(admin("PUT", "/v1.0/frontends", "{\"Identifier\":\"f1\",\"Backends\":[\"b1\"]}"), 201);

    try (Response answer = harness.post("/api/generate", "{\"model\":\"m\",\"stream\":false}")) {
      assertThat(answer.code()).isEqualTo(200);
      assertThat(answer.header("X-OllamaFlow-Backend")).isEqualTo("b1");
    }
  }

  // ---- backends ----

  @Test
  void createsReadsChecksReplacesAndDeletesABackend() throws Exception {
    JsonNode created = json(admin("PUT", "/v1.0/backends", "{\"Identifier\":\"gpu 1\",\"Hostname\":\"10.0.0.5\","
        + "\"Port\":8000,\"ApiFormat\":\"OpenAI\",\"HealthCheckUrl\":\"/health\",\"Labels\":[\"eu\"],"
        + "\"Querystring\":\"api-version=1\"}"), 201);
    assertThat(created.get("Identifier").asText()).isEqualTo("gpu 1");
    assertThat(created.get("ApiFormat").asText()).isEqualTo("OpenAI");
    assertThat(created.get("Querystring").asText()).isEqualTo("api-version=1");
    assertThat(created.has("BearerToken")).as("nulls are left out").isFalse();

    assertThat(json(admin("GET", "/v1.0/backends/gpu%201", null), 200)).isEqualTo(created);
    assertThat(json(admin("GET", "/v1.0/backends", null), 200).findValuesAsText("Identifier")).containsExactly("gpu 1");
    try (Response exists = admin("HEAD", "/v1.0/backends/gpu%201", null)) {
      assertThat(exists.code()).isEqualTo(200);
    }

    JsonNode updated = json(admin("PUT", "/v1.0/backends/gpu%201", "{\"Hostname\":\"10.0.0.6\",\"Port\":8001}"), 200);
    assertThat(updated.get("Port").asInt()).isEqualTo(8001);
    assertThat(updated.get("ApiFormat").asText()).as("a field left out reverts to its default").isEqualTo("Ollama");
    assertThat(updated.get("Labels")).isEmpty();
    assertThat(updated.get("CreatedUtc")).isEqualTo(created.get("CreatedUtc"));
    assertThat(harness.cluster().admin().health("gpu 1").orElseThrow().backend().port())
        .as("applied before the answer").isEqualTo(8001);

    try (Response deleted = admin("DELETE", "/v1.0/backends/gpu%201", null)) {
      assertThat(deleted.code()).isEqualTo(204);
    }
    try (Response missing = admin("HEAD", "/v1.0/backends/gpu%201", null)) {
      assertThat(missing.code()).isEqualTo(404);
    }
    assertError(admin("GET", "/v1.0/backends/gpu%201", null), 404, "NotFound", "no backend with identifier 'gpu 1'");
  }

  @Test
  void healthViewsShowTheRedactedBackendAndItsLiveState() throws Exception {
    harness.store.putBackend(Backend.builder("b1").bearerToken("sk-live-secret")
        .createdUtc(Instant.parse("2025-01-01T00:00:00Z")).build());
    harness.store.putBackend(Backend.builder("b2").createdUtc(Instant.parse("2025-06-01T00:00:00Z")).build());
    harness.cluster().reload();

    JsonNode all = json(admin("GET", "/v1.0/backends/health", null), 200);
    assertThat(all.findValuesAsText("Identifier")).containsExactly("b2", "b1");
    JsonNode one = json(admin("GET", "/v1.0/backends/b1/health", null), 200);
    assertThat(one.get("Identifier").asText()).isEqualTo("b1");
    assertThat(one.get("Port").asInt()).isEqualTo(11434);
    assertThat(one.get("BearerToken").asText()).isEqualTo("********");
    assertThat(one.get("Healthy").asBoolean()).isTrue();
    assertThat(one.get("HealthState").asText()).isEqualTo("Unknown");
    assertThat(one.get("ActiveRequests").asInt()).isZero();
    assertThat(one.has("HealthySinceUtc")).as("not probed yet, so healthy since nothing").isFalse();
    assertThat(all.toString() + one).doesNotContain("sk-live-secret");

    assertError(admin("GET", "/v1.0/backends/nope/health", null), 404, "NotFound", "no backend with identifier 'nope'");
  }

  @Test
  void healthViewOfAnEjectedBackendSaysUnhealthySinceWhenAndWhy() throws Exception {
    MockWebServer dead = harness.backend(new MockResponse.Builder().code(500).body("boom").build());
    MockWebServer alive = harness.backend("{}");
    harness.configure(Frontend.builder("f1").allowRetries(false),
        ScenarioHarness.backendFor("dead", dead).unhealthyThreshold(1).build(),
        ScenarioHarness.backendFor("alive", alive).build());
    for (int i = 0; i < 4; i++) {
      harness.post("/api/generate", "{\"model\":\"m\",\"stream\":false}").close();
    }

    JsonNode health = json(admin("GET", "/v1.0/backends/dead/health", null), 200);
    assertThat(health.get("Healthy").asBoolean()).isFalse();
    assertThat(health.get("HealthState").asText()).isEqualTo("Unhealthy");
    assertThat(Instant.parse(health.get("UnhealthySinceUtc").asText())).isAfter(Instant.now().minusSeconds(60));
    assertThat(health.has("HealthySinceUtc")).isFalse();
    assertThat(health.get("LastError").asText()).contains("500");
    assertSinceMatches(health, "UnhealthySinceUtc", "Downtime");
    assertThat(health.has("Uptime")).isFalse();
  }

  @Test
  void healthViewOfAProbedBackendCarriesOllamaFlowsUptime() throws Exception {
    harness.close();
    harness.start(b -> b.healthCheckInterval(Duration.ofMillis(20)).adminBearerTokens(List.of(TOKEN)));
    MockWebServer backend = harness.backend("{}");
    harness.configure(Frontend.builder("f1"), ScenarioHarness.backendFor("b1", backend).healthyThreshold(1).build());
    Eventually.until(Duration.ofSeconds(10), "b1 is probed healthy",
        () -> json(admin("GET", "/v1.0/backends/b1/health", null), 200).path("HealthState").asText().equals("Healthy"));

    JsonNode health = json(admin("GET", "/v1.0/backends/b1/health", null), 200);
    assertSinceMatches(health, "HealthySinceUtc", "Uptime");
    assertThat(health.has("Downtime")).isFalse();
  }

  /**
   * {@code span} is a .NET TimeSpan ({@code [d.]hh:mm:ss.fffffff}) equal to the time between
   * {@code since} and the moment the view was written, which lies between {@code since} and now.
   */
  private static void assertSinceMatches(JsonNode view, String since, String span) {
    String text = view.path(span).asText();
    Matcher m = Pattern.compile("(?:(\\d+)\\.)?(\\d{2}):(\\d{2}):(\\d{2})\\.(\\d{7})").matcher(text);
    assertThat(m.matches()).as(span + " '" + text + "' is a .NET TimeSpan").isTrue();
    Duration elapsed = Duration.ofDays(m.group(1) == null ? 0 : Long.parseLong(m.group(1)))
        .plusHours(Long.parseLong(m.group(2))).plusMinutes(Long.parseLong(m.group(3)))
        .plusSeconds(Long.parseLong(m.group(4))).plusNanos(Long.parseLong(m.group(5)) * 100);
    Instant start = Instant.parse(view.path(since).asText());
    assertThat(start.plus(elapsed)).isBetween(start, Instant.now());
  }

  // ---- validation ----

  static Stream<Arguments> invalidObjects() {
    return Stream.of(
        Arguments.of("/v1.0/backends", "", "the request body is empty (expected: a backend object)"),
        Arguments.of("/v1.0/backends", "  \n", "the request body is empty"),
        Arguments.of("/v1.0/backends", "{\"Identifier\":\"b9\",", "the request body is not valid JSON"),
        Arguments.of("/v1.0/backends", "{\"Identifier\":\"b9\"} {}", "the request body is not valid JSON"),
        Arguments.of("/v1.0/backends", "{\"Identifier\":\"b9\",\"Port\":1,\"Port\":2}",
            "the request body is not valid JSON: Duplicate field 'Port'"),
        Arguments.of("/v1.0/backends", "[]", "backend: expected a JSON object, got []"),
        Arguments.of("/v1.0/backends", "{\"Port\":8000}", "backend Identifier: missing"),
        Arguments.of("/v1.0/backends", "{\"Identifier\":\"b9\",\"Port\":\"eighty\"}",
            "Port: \"eighty\" (expected: an integer)"),
        Arguments.of("/v1.0/backends", "{\"Identifier\":\"b9\",\"Port\":70000}", "Port: 70000 (expected: 1-65535)"),
        Arguments.of("/v1.0/backends", "{\"Identifier\":\"b9\",\"Ssl\":\"yes\"}", "Ssl: \"yes\" (expected: true or false)"),
        Arguments.of("/v1.0/backends", "{\"Identifier\":\"b9\",\"HealthCheckMethod\":\"POST\"}",
            "HealthCheckMethod: \"POST\" (expected: GET or HEAD)"),
        Arguments.of("/v1.0/backends", "{\"Identifier\":\"b9\",\"MaxParallelRequests\":0}",
            "MaxParallelRequests: 0 (expected: 1-100000)"),
        Arguments.of("/v1.0/backends", "{\"Identifier\":\"b9\",\"Hostnme\":\"x\"}",
            "backend field \"Hostnme\" is not known"),
        Arguments.of("/v1.0/backends", "{\"Identifier\":\"b9\",\"Headers\":{\"X-Api-Key\":42}}",
            "Headers.X-Api-Key: (value not shown) (expected: a string)"),
        Arguments.of("/v1.0/backends", "{\"Identifier\":\"b9\",\"CreatedUtc\":\"yesterday\"}",
            "CreatedUtc: \"yesterday\" (expected: an ISO-8601 UTC time"),
        Arguments.of("/v1.0/backends", "{\"Identifier\":\"a/b\"}", "Identifier: \"a/b\""),
        Arguments.of("/v1.0/backends", "{\"Identifier\":\"b9\",\"ApiFormat\":\"Bogus\"}",
            "ApiFormat: \"Bogus\" is not a known format (expected: one of Ollama, OpenAI)"),
        Arguments.of("/v1.0/backends/b1", "{\"ApiFormat\":\"Bogus\"}",
            "ApiFormat: \"Bogus\" is not a known format (expected: one of Ollama, OpenAI)"),
        Arguments.of("/v1.0/frontends", "{\"Identifier\":\"f9\",\"TimeoutMs\":-1}",
            "TimeoutMs: -1 (expected: 0-2147483647)"),
        Arguments.of("/v1.0/frontends", "{\"Identifier\":\"f9\",\"StickySessionExpirationMs\":5}",
            "StickySessionExpirationMs: 5 (expected: 10000-86400000)"),
        Arguments.of("/v1.0/frontends", "{\"Identifier\":\"f9\",\"Hostname\":\"\"}", "Hostname: \"\""),
        Arguments.of("/v1.0/frontends", "{\"Identifier\":\"f9\",\"Backends\":\"b1\"}",
            "Backends: \"b1\" (expected: an array of strings)"),
        Arguments.of("/v1.0/frontends", "{\"Identifier\":\"f9\",\"Backends\":[\"b1\",\"b1\"]}",
            "Backends: [b1, b1] (expected: each backend listed once)"),
        Arguments.of("/v1.0/frontends", "{\"Identifier\":\"f9\",\"Backends\":[\"ghost\"]}",
            "Backends: 'ghost' is not a configured backend"),
        Arguments.of("/v1.0/frontends", "{\"Identifier\":\"f9\",\"LoadBalancing\":\"fastest\"}",
            "LoadBalancing: \"fastest\" is not a known policy (expected: one of least-requests, model-affinity, random, round-robin)"),
        Arguments.of("/v1.0/frontends", "{\"Identifier\":\"f9\",\"LoadBalancing\":7}",
            "LoadBalancing: 7 (expected: a policy name, or OllamaFlow's 0 (Random) or 1 (RoundRobin))"),
        Arguments.of("/v1.0/frontends", "{\"Identifier\":\"f9\",\"PinnedCompletionsProperties\":[1]}",
            "PinnedCompletionsProperties: [1] (expected: a JSON object)"),
        Arguments.of("/v1.0/frontends/f1", "{\"TimeoutMs\":1.5}", "TimeoutMs: 1.5 (expected: an integer)"),
        Arguments.of("/v1.0/backends/b1", "{\"BearerToken\":\"********\"}",
            "BearerToken: \"********\" is the redacted placeholder"),
        Arguments.of("/v1.0/backends/b1", "{\"BearerToken\":12345}", "BearerToken: (value not shown)"));
  }

  @ParameterizedTest(name = "{2}")
  @MethodSource("invalidObjects")
  void invalidObjectIsRefusedWith400NamingTheFieldAndChangesNothing(String path, String body, String description)
      throws Exception {
    harness.store.putBackend(Backend.builder("b1").build());
    harness.store.putFrontend(Frontend.builder("f1").backends(List.of("b1")).build());
    harness.cluster().reload();
    long revision = harness.store.revision();

    assertError(admin("PUT", path, body), 400, "BadRequest", description);

    assertThat(harness.store.revision()).as("nothing was stored").isEqualTo(revision);
    assertThat(harness.store.backends()).extracting(Backend::identifier).containsExactly("b1");
    assertThat(harness.store.frontends()).extracting(Frontend::identifier).containsExactly("f1");
  }

  // ---- conflicts ----

  @Test
  void creatingAnExistingIdentifierIs409AndKeepsTheStoredObject() throws Exception {
    json(admin("PUT", "/v1.0/backends", "{\"Identifier\":\"b1\",\"Port\":8001}"), 201);
    json(admin("PUT", "/v1.0/frontends", "{\"Identifier\":\"f1\"}"), 201);

    assertError(admin("PUT", "/v1.0/backends", "{\"Identifier\":\"b1\",\"Port\":9999}"), 409, "Conflict",
        "a backend with identifier 'b1' already exists");
    assertError(admin("PUT", "/v1.0/frontends", "{\"Identifier\":\"f1\",\"Hostname\":\"x\"}"), 409, "Conflict",
        "a frontend with identifier 'f1' already exists");
    assertThat(harness.store.backend("b1").orElseThrow().port()).isEqualTo(8001);
    assertThat(harness.store.frontend("f1").orElseThrow().hostname()).isEqualTo("*");
  }

  @Test
  void deletingABackendThatAFrontendListsIs409NamingTheFrontend() throws Exception {
    json(admin("PUT", "/v1.0/backends", "{\"Identifier\":\"b1\"}"), 201);
    json(admin("PUT", "/v1.0/frontends", "{\"Identifier\":\"f1\",\"Backends\":[\"b1\"]}"), 201);

    assertError(admin("DELETE", "/v1.0/backends/b1", null), 409, "Conflict",
        "backend 'b1' is used by frontend 'f1' (remove it from their Backends first)");
    assertThat(harness.store.backend("b1")).isPresent();
  }

  // ---- authentication ----

  @Test
  void callsWithoutAnAcceptedBearerTokenAre401AndChangeNothing() throws Exception {
    String body = "{\"Identifier\":\"b1\"}";
    for (String authorization : new String[] {null, "", "Bearer wrong", "bearer " + TOKEN, "BEARER " + TOKEN,
        "Basic " + TOKEN, TOKEN, "Bearer " + TOKEN + "x", "Bearer  " + TOKEN}) {
      Request.Builder request = new Request.Builder().url(harness.url("/v1.0/backends"))
          .put(RequestBody.create(body, ScenarioHarness.JSON));
      if (authorization != null) request.header("Authorization", authorization);
      try (Response response = harness.call(request)) {
        assertThat(response.code()).as("Authorization: %s", authorization).isEqualTo(401);
        assertThat(response.header("WWW-Authenticate")).isEqualTo("Bearer");
        JsonNode error = JSON.readTree(response.body().string());
        assertThat(error.get("Error").asText()).isEqualTo("AuthenticationFailed");
        assertThat(error.get("Message").asText()).isEqualTo("Your authentication material was not accepted.");
        assertThat(error.get("StatusCode").asInt()).isEqualTo(401);
        assertThat(error.get("Description").asText()).doesNotContain(TOKEN);
      }
    }
    assertThat(harness.store.backends()).isEmpty();

    try (Response response = harness.call(new Request.Builder().url(harness.url("/v1.0/backends"))
        .header("Authorization", "Bearer " + OTHER_TOKEN))) {
      assertThat(response.code()).as("every configured token is accepted").isEqualTo(200);
    }
  }

  @Test
  void anAdminTokenInTheQueryStringIsRefusedWith401EvenBesideAValidHeaderAndChangesNothing() throws Exception {
    for (String query : new String[] {"token=" + TOKEN, "access_token=" + TOKEN, "Api_Key=" + TOKEN,
        "frontend=f1&key=" + TOKEN}) {
      assertError(harness.call(new Request.Builder().url(harness.url("/v1.0/backends?" + query))),
          401, "AuthenticationFailed", "the admin token is never accepted in the query string (parameter '");
      Response withHeader = harness.call(new Request.Builder().url(harness.url("/v1.0/backends?" + query))
          .header("Authorization", "Bearer " + TOKEN).put(RequestBody.create("{\"Identifier\":\"b1\"}", ScenarioHarness.JSON)));
      try (withHeader) {
        String body = withHeader.body().string();
        assertThat(withHeader.code()).as(query).isEqualTo(401);
        assertThat(JSON.readTree(body).get("Description").asText())
            .endsWith("; send it in the header Authorization: Bearer <admin token>").doesNotContain(TOKEN);
      }
    }
    assertThat(harness.store.backends()).isEmpty();
    json(harness.call(new Request.Builder().url(harness.url("/v1.0/backends?tokenizer=x"))
        .header("Authorization", "Bearer " + TOKEN)), 200);
  }

  // ---- secrets ----

  @Test
  void secretsAreRedactedInEveryAnswer() throws Exception {
    JsonNode created = json(admin("PUT", "/v1.0/backends", "{\"Identifier\":\"b1\",\"BearerToken\":\"sk-top-secret\","
        + "\"Headers\":{\"Authorization\":\"Basic c2VjcmV0\",\"X-Api-Key\":\"key-secret\",\"Cookie\":\"s=cookie-secret\","
        + "\"X-Client-Token\":\"tok-secret\",\"X-Password\":\"pw-secret\",\"X-Team\":\"blue\"}}"), 201);

    assertThat(created.get("BearerToken").asText()).isEqualTo("********");
    assertThat(created.get("Headers").get("Authorization").asText()).isEqualTo("********");
    assertThat(created.get("Headers").get("X-Api-Key").asText()).isEqualTo("********");
    assertThat(created.get("Headers").get("Cookie").asText()).isEqualTo("********");
    assertThat(created.get("Headers").get("X-Client-Token").asText()).isEqualTo("********");
    assertThat(created.get("Headers").get("X-Password").asText()).isEqualTo("********");
    assertThat(created.get("Headers").get("X-Team").asText()).as("no name is guessed harmless").isEqualTo("********");
    StringBuilder answers = new StringBuilder(created.toString());
    for (String path : List.of("/v1.0/backends", "/v1.0/backends/b1", "/v1.0/backends/health", "/v1.0/backends/b1/health")) {
      try (Response response = admin("GET", path, null)) {
        assertThat(response.code()).isEqualTo(200);
        answers.append(response.body().string());
      }
    }
    answers.append(json(admin("PUT", "/v1.0/backends/b1", created.toString()), 200));
    assertThat(answers.toString()).doesNotContain("secret", "c2VjcmV0");
    assertThat(harness.store.backend("b1").orElseThrow().bearerToken()).isEqualTo("sk-top-secret");
  }

  @Test
  void everyQueryParameterAndHeaderValueIsRedactedUnlessItsNameIsKnownHarmlessAndSurvivesAWriteBack()
      throws Exception {
    MockWebServer backend = harness.backend("{\"done\":true}");
    json(admin("PUT", "/v1.0/backends", "{\"Identifier\":\"b1\",\"Hostname\":\"127.0.0.1\",\"Port\":"
        + backend.getPort() + ",\"Querystring\":\"apikey=q-secret-1&api-version=2024-02-01&sig=q-secret-2\","
        + "\"Headers\":{\"X-Auth\":\"h-secret-1\",\"X-Sess\":\"h-secret-2\",\"X-Access\":\"h-secret-3\","
        + "\"Content-Type\":\"application/json\"}}"), 201);
    json(admin("PUT", "/v1.0/frontends", "{\"Identifier\":\"f1\",\"Backends\":[\"b1\"]}"), 201);

    ObjectNode shown = (ObjectNode) json(admin("GET", "/v1.0/backends/b1", null), 200);
    assertThat(shown.get("Querystring").asText()).isEqualTo("apikey=********&api-version=2024-02-01&sig=********");
    assertThat(shown.get("Headers").toString()).isEqualTo("{\"X-Auth\":\"********\",\"X-Sess\":\"********\","
        + "\"X-Access\":\"********\",\"Content-Type\":\"application/json\"}");
    StringBuilder answers = new StringBuilder(shown.toString());
    for (String path : List.of("/v1.0/backends", "/v1.0/backends/health", "/v1.0/backends/b1/health")) {
      try (Response response = admin("GET", path, null)) {
        answers.append(response.body().string());
      }
    }
    assertThat(answers.toString()).doesNotContain("secret");

    // Written back whole, as read: the stored secrets stay, and the backend still gets them.
    shown.put("Name", "renamed");
    assertThat(json(admin("PUT", "/v1.0/backends/b1", shown.toString()), 200).toString()).doesNotContain("secret");
    Backend stored = harness.store.backend("b1").orElseThrow();
    assertThat(stored.querystring()).isEqualTo("apikey=q-secret-1&api-version=2024-02-01&sig=q-secret-2");
    assertThat(stored.headers()).containsEntry("X-Auth", "h-secret-1").containsEntry("X-Access", "h-secret-3");
    try (Response answer = harness.post("/api/generate", "{\"model\":\"m\",\"stream\":false}")) {
      assertThat(answer.code()).isEqualTo(200);
    }
    RecordedRequest sent = backend.takeRequest(5, TimeUnit.SECONDS);
    assertThat(sent.getUrl().query()).isEqualTo("apikey=q-secret-1&api-version=2024-02-01&sig=q-secret-2");
    assertThat(sent.getHeaders().get("X-Sess")).isEqualTo("h-secret-2");

    // A placeholder for a parameter that was never stored is refused and stores nothing.
    shown.put("Querystring", "apikey=********&token=********");
    try (Response refused = admin("PUT", "/v1.0/backends/b1", shown.toString())) {
      assertThat(refused.code()).isEqualTo(400);
      assertThat(refused.body().string()).contains("Querystring.token", "redacted placeholder");
    }
    assertThat(harness.store.backend("b1").orElseThrow().querystring()).contains("sig=q-secret-2");
  }

  @Test
  void objectReadAndWrittenBackWholeKeepsItsSecretsAndTheBackendStillGetsThem() throws Exception {
    MockWebServer backend = harness.backend("{\"done\":true}");
    json(admin("PUT", "/v1.0/backends", "{\"Identifier\":\"b1\",\"Hostname\":\"127.0.0.1\",\"Port\":"
        + backend.getPort() + ",\"BearerToken\":\"sk-real\",\"Headers\":{\"X-Api-Key\":\"key-real\"}}"), 201);
    json(admin("PUT", "/v1.0/frontends", "{\"Identifier\":\"f1\",\"Backends\":[\"b1\"]}"), 201);

    // What OllamaFlow's UI and SDK do: GET the object, change a field, PUT it back whole.
    ObjectNode shown = (ObjectNode) json(admin("GET", "/v1.0/backends/b1", null), 200);
    shown.put("Name", "renamed");
    JsonNode updated = json(admin("PUT", "/v1.0/backends/b1", shown.toString()), 200);

    assertThat(updated.get("Name").asText()).isEqualTo("renamed");
    assertThat(updated.get("BearerToken").asText()).isEqualTo("********");
    Backend stored = harness.store.backend("b1").orElseThrow();
    assertThat(stored.bearerToken()).isEqualTo("sk-real");
    assertThat(stored.headers()).containsEntry("X-Api-Key", "key-real");
    try (Response answer = harness.post("/api/generate", "{\"model\":\"m\",\"stream\":false}")) {
      assertThat(answer.code()).isEqualTo(200);
    }
    RecordedRequest sent = backend.takeRequest(5, TimeUnit.SECONDS);
    assertThat(sent.getHeaders().get("Authorization")).isEqualTo("Bearer sk-real");
    assertThat(sent.getHeaders().get("X-Api-Key")).isEqualTo("key-real");

    // A real new value still replaces the secret.
    shown.put("BearerToken", "sk-rotated");
    json(admin("PUT", "/v1.0/backends/b1", shown.toString()), 200);
    assertThat(harness.store.backend("b1").orElseThrow().bearerToken()).isEqualTo("sk-rotated");
  }

  @Test
  void logLinesNeverShowSecretsOrTokens() throws Exception {
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      json(admin("PUT", "/v1.0/backends", "{\"Identifier\":\"b1\",\"BearerToken\":\"sk-log-secret\","
          + "\"Headers\":{\"Authorization\":\"hdr-log-secret\"}}"), 201);
      json(admin("PUT", "/v1.0/backends/b1", "{\"BearerToken\":\"sk-log-secret-2\"}"), 200);
      admin("PUT", "/v1.0/backends", "{\"Identifier\":\"b2\",\"BearerToken\":[\"sk-log-secret-3\"]}").close();
      harness.call(new Request.Builder().url(harness.url("/v1.0/backends"))
          .header("Authorization", "Bearer guessed-log-secret")).close();
    } finally {
      System.setErr(original);
    }
    String log = captured.toString(StandardCharsets.UTF_8);
    assertThat(log).contains("admin PUT /v1.0/backends").contains("created backend 'b1'").contains("refused");
    assertThat(log).doesNotContain("log-secret", TOKEN);
  }

  // ---- routing of the admin API itself ----

  @Test
  void adminRoutesAnswerOnAnyHostAndBeforeFrontendMatching() throws Exception {
    // No frontend at all: a proxied request has nowhere to go, the admin API still answers.
    try (Response proxied = harness.post("/api/generate", "{\"model\":\"m\"}")) {
      assertThat(proxied.code()).isEqualTo(400);
    }
    try (Response response = harness.call(new Request.Builder().url(harness.url("/v1.0/frontends"))
        .header("Host", "anything.example").header("Authorization", "Bearer " + TOKEN))) {
      assertThat(response.code()).isEqualTo(200);
      assertThat(response.body().string()).isEqualTo("[]");
    }
  }

  @Test
  void unknownAdminRouteIs404AndAWrongMethodIs405WithAllow() throws Exception {
    assertError(admin("GET", "/v1.0/models", null), 404, "NotFound", "no admin route for GET /v1.0/models");
    assertError(admin("GET", "/v1.0/frontends/a/b", null), 404, "NotFound", "no admin route");
    try (Response response = admin("POST", "/v1.0/frontends", "{}")) {
      assertThat(response.header("Allow")).isEqualTo("GET, PUT");
      assertError(response, 405, "BadRequest", "method POST is not allowed on /v1.0/frontends (allowed: GET, PUT)");
    }
  }

  @Test
  void emptyPathSegmentsAreIgnoredAsOllamaFlowDoes() throws Exception {
    harness.store.putBackend(Backend.builder("b1").build());
    // ("//v1.0..." would be read as a URL with authority "v1.0" by the JDK's server, before us.)
    assertThat(json(admin("GET", "/v1.0//backends//b1/", null), 200).get("Identifier").asText()).isEqualTo("b1");
  }

  @Test
  void withoutAdminTokensTheV10PathsAreTheProxysUnknownRoutes() throws Exception {
    try (ScenarioHarness plain = new ScenarioHarness().start(FlowCluster.Builder::disableActiveHealthChecks);
        Response response = plain.call(new Request.Builder().url(plain.url("/v1.0/frontends"))
            .header("Authorization", "Bearer " + TOKEN))) {
      assertThat(response.code()).isEqualTo(404);
      assertThat(response.body().string()).startsWith("{\"error\":");
    }
  }

  // ---- CORS ----

  @Test
  void corsPreflightOnAnAdminPathIsAnsweredForAnyOriginWithTheRequestedHeadersAllowed() throws Exception {
    for (String path : List.of("/v1.0/backends/b1", "/v1.0/frontends", "/v1.0/anything")) {
      try (Response response = harness.call(new Request.Builder().url(harness.url(path))
          .method("OPTIONS", null)
          .header("Origin", "http://dashboard.example:3000")
          .header("Access-Control-Request-Method", "PUT")
          .header("Access-Control-Request-Headers", "authorization, x-requested-with, content-type"))) {
        assertThat(response.code()).as(path).isEqualTo(204);
        assertThat(response.header("Access-Control-Allow-Origin")).isEqualTo("*");
        assertThat(response.header("Access-Control-Allow-Methods")).isEqualTo("OPTIONS, HEAD, GET, PUT, POST, DELETE");
        assertThat(response.header("Access-Control-Allow-Headers"))
            .isEqualTo("authorization, x-requested-with, content-type");
        assertThat(response.header("Access-Control-Max-Age")).isNotNull();
      }
    }
    try (Response response = harness.call(new Request.Builder().url(harness.url("/v1.0/frontends"))
        .method("OPTIONS", null).header("Access-Control-Request-Method", "GET"))) {
      assertThat(response.header("Access-Control-Allow-Headers")).isEqualTo("Authorization, Content-Type");
    }
    try (Response response = harness.call(new Request.Builder().url(harness.url("/v1.0/frontends"))
        .method("OPTIONS", null))) {
      assertThat(response.code()).as("not a preflight").isEqualTo(204);
      assertThat(response.header("Allow")).isEqualTo("OPTIONS, HEAD, GET, PUT, POST, DELETE");
    }
  }

  @Test
  void adminErrorsCarryCorsHeadersToo() throws Exception {
    try (Response response = harness.call(new Request.Builder().url(harness.url("/v1.0/frontends")))) {
      assertThat(response.code()).isEqualTo(401);
      assertThat(response.header("Access-Control-Allow-Origin")).isEqualTo("*");
    }
  }

  // ---- sticky sessions ----

  @Test
  void listsAndEndsStickySessions() throws Exception {
    MockWebServer b1 = harness.backend("{}");
    MockWebServer b2 = harness.backend("{}");
    harness.configure(Frontend.builder("f1").useStickySessions(true),
        ScenarioHarness.backendFor("b1", b1).build(), ScenarioHarness.backendFor("b2", b2).build());
    harness.store.putFrontend(Frontend.builder("f2").hostname("two.example").useStickySessions(true)
        .backends(List.of("b1")).build());
    harness.cluster().reload();
    Instant before = Instant.now().minusSeconds(1);
    sticky("conv-a", null);
    sticky("conv-b", null);
    sticky("conv-c", "two.example");

    JsonNode sessions = json(admin("GET", "/v1.0/sessions", null), 200);
    assertThat(sessions.findValuesAsText("ClientKey")).containsExactly("conv-a", "conv-b", "conv-c");
    JsonNode first = sessions.get(0);
    assertThat(first.get("FrontendId").asText()).isEqualTo("f1");
    assertThat(first.get("BackendId").asText()).isIn("b1", "b2");
    assertThat(Instant.parse(first.get("CreatedUtc").asText())).isAfter(before);
    assertThat(Instant.parse(first.get("ExpiresUtc").asText())).isAfter(Instant.now().plusSeconds(60));
    assertThat(first.get("LastAccessUtc")).isNotNull();
    assertThat(json(admin("GET", "/v1.0/sessions?frontend=f2", null), 200).findValuesAsText("ClientKey"))
        .containsExactly("conv-c");

    try (Response cleared = admin("DELETE", "/v1.0/sessions?frontend=f1", null)) {
      assertThat(cleared.code()).isEqualTo(204);
    }
    assertThat(json(admin("GET", "/v1.0/sessions", null), 200).findValuesAsText("ClientKey")).containsExactly("conv-c");
    assertError(admin("DELETE", "/v1.0/sessions?frontend=nope", null), 404, "NotFound", "no frontend with identifier 'nope'");
    try (Response cleared = admin("DELETE", "/v1.0/sessions", null)) {
      assertThat(cleared.code()).isEqualTo(204);
    }
    assertThat(json(admin("GET", "/v1.0/sessions", null), 200)).isEmpty();
  }

  // ---- live reconfiguration ----

  @Test
  void streamInFlightFinishesIntactWhenItsBackendIsRemovedAndTheNextRequestSeesTheNewConfig() throws Exception {
    List<String> lines = tokenLines(6);
    HeldStream stream = new HeldStream(lines, 2);
    MockWebServer slow = harness.backend(new MockResponse.Builder().addHeader("Content-Type", "application/x-ndjson")
        .addHeader("Transfer-Encoding", "chunked").body(stream).build());
    MockWebServer other = harness.backend("{\"from\":\"b2\"}");
    harness.configure(Frontend.builder("f1"), ScenarioHarness.backendFor("b1", slow).build());
    json(admin("PUT", "/v1.0/backends", "{\"Identifier\":\"b2\",\"Hostname\":\"127.0.0.1\",\"Port\":"
        + other.getPort() + "}"), 201);

    try (Response streaming = harness.post("/api/generate", "{\"model\":\"m\"}")) {
      assertThat(streaming.header("X-OllamaFlow-Backend")).isEqualTo("b1");
      BufferedReader reader = new BufferedReader(new InputStreamReader(streaming.body().byteStream(), StandardCharsets.UTF_8));
      List<String> received = new ArrayList<>();
      received.add(reader.readLine());
      received.add(reader.readLine());

      // Mid-stream: move the frontend to b2, then delete b1.
      json(admin("PUT", "/v1.0/frontends/f1", "{\"Backends\":[\"b2\"]}"), 200);
      try (Response deleted = admin("DELETE", "/v1.0/backends/b1", null)) {
        assertThat(deleted.code()).isEqualTo(204);
      }
      try (Response next = harness.post("/api/generate", "{\"model\":\"m\",\"stream\":false}")) {
        assertThat(next.header("X-OllamaFlow-Backend")).as("new requests see the new config").isEqualTo("b2");
      }

      stream.release();
      String line;
      while ((line = reader.readLine()) != null) received.add(line);
      assertThat(received).as("the stream finished intact").isEqualTo(lines);
    }
  }

  @Test
  void streamInFlightFinishesIntactWhenItsBackendIsEditedToPointElsewhere() throws Exception {
    List<String> lines = tokenLines(5);
    HeldStream stream = new HeldStream(lines, 1);
    MockWebServer slow = harness.backend(new MockResponse.Builder().addHeader("Content-Type", "application/x-ndjson")
        .addHeader("Transfer-Encoding", "chunked").body(stream).build());
    MockWebServer replacement = harness.backend("{\"from\":\"replacement\"}");
    harness.configure(Frontend.builder("f1"), ScenarioHarness.backendFor("b1", slow).build());

    CompletableFuture<List<String>> received = CompletableFuture.supplyAsync(() -> {
      try (Response streaming = harness.post("/api/chat", "{\"model\":\"m\"}")) {
        return streaming.body().string().lines().toList();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    assertThat(stream.awaitHeld(10, TimeUnit.SECONDS)).as("the backend sent its first line").isTrue();

    json(admin("PUT", "/v1.0/backends/b1", "{\"Hostname\":\"127.0.0.1\",\"Port\":" + replacement.getPort() + "}"), 200);
    try (Response next = harness.post("/api/chat", "{\"model\":\"m\",\"stream\":false}")) {
      assertThat(next.body().string()).isEqualTo("{\"from\":\"replacement\"}");
    }
    stream.release();

    assertThat(received.get(20, TimeUnit.SECONDS)).isEqualTo(lines);
  }

  // ---- helpers ----

  private Response admin(String method, String path, String body) throws Exception {
    return new AdminCalls(harness, TOKEN).call(method, path, body);
  }

  private static JsonNode json(Response response, int expectedStatus) throws IOException {
    return AdminCalls.json(response, expectedStatus);
  }

  private static void assertError(Response response, int status, String error, String descriptionStart)
      throws IOException {
    AdminCalls.assertError(response, status, error, descriptionStart);
  }

  private void sticky(String conversation, String host) throws Exception {
    Request.Builder request = new Request.Builder().url(harness.url("/api/generate"))
        .post(RequestBody.create("{\"model\":\"m\",\"stream\":false}", ScenarioHarness.JSON))
        .header("x-conversation-id", conversation);
    if (host != null) request.header("Host", host);
    try (Response response = harness.call(request)) {
      assertThat(response.code()).isEqualTo(200);
    }
  }

  private static List<String> tokenLines(int count) {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      lines.add("{\"model\":\"m\",\"response\":\"token" + i + "\",\"done\":" + (i == count - 1) + "}");
    }
    return lines;
  }

  /**
   * A chunked NDJSON body that sends its first lines, then holds the rest back until
   * {@link #release()}: a slow stream that is provably still in flight while the test acts.
   */
  private static final class HeldStream implements MockResponseBody {
    private final List<String> lines;
    private final int sentBeforeHold;
    private final CountDownLatch held = new CountDownLatch(1);
    private final CountDownLatch released = new CountDownLatch(1);

    HeldStream(List<String> lines, int sentBeforeHold) {
      this.lines = lines;
      this.sentBeforeHold = sentBeforeHold;
    }

    void release() {
      released.countDown();
    }

    boolean awaitHeld(long timeout, TimeUnit unit) throws InterruptedException {
      return held.await(timeout, unit);
    }

    @Override
    public long getContentLength() {
      return -1;
    }

    @Override
    public void writeTo(BufferedSink sink) throws IOException {
      try {
        for (int i = 0; i < lines.size(); i++) {
          if (i == sentBeforeHold) {
            held.countDown();
            if (!released.await(20, TimeUnit.SECONDS)) throw new IOException("never released");
          }
          Chunks.write(sink, lines.get(i) + "\n");
          Thread.sleep(5);
        }
        Chunks.end(sink);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException(e);
      }
    }
  }
}
