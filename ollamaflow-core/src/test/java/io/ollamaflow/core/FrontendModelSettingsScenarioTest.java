package io.ollamaflow.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ollamaflow.api.Backend;
import io.ollamaflow.api.Frontend;
import io.ollamaflow.api.HealthState;
import io.ollamaflow.core.testing.Eventually;
import io.ollamaflow.core.testing.FakeOllama;
import io.ollamaflow.core.testing.ScenarioHarness;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockWebServer;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The gollamas-style frontend settings (issue 4, seed 003) end to end through real sockets:
 * ModelAliases, ListConfiguredModelsOnly, PreloadModels with KeepModelsLoaded, and the default
 * request properties that fill what the client left out.
 */
class FrontendModelSettingsScenarioTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(10);

  private final ScenarioHarness harness = new ScenarioHarness();
  private final FakeOllama a = new FakeOllama("a", "llama3.1:8b", "nomic-embed-text");
  private final FakeOllama b = new FakeOllama("b", "qwen2.5:7b", "phi3");

  @AfterEach
  void close() {
    harness.close();
  }

  private void start(Frontend.Builder frontend) throws Exception {
    harness.start(builder -> builder.healthCheckInterval(Duration.ofMillis(50))
        .modelRefreshInterval(Duration.ofMillis(100)));
    MockWebServer sa = harness.backend(a);
    MockWebServer sb = harness.backend(b);
    harness.configure(frontend, backend("a", sa), backend("b", sb));
    Eventually.until(WAIT, "both backends were listed twice", () -> listings(a) >= 2 && listings(b) >= 2);
  }

  private static Backend backend(String id, MockWebServer server) {
    return ScenarioHarness.backendFor(id, server).healthyThreshold(1).unhealthyThreshold(1).build();
  }

  private static long listings(FakeOllama backend) {
    return backend.requests.stream().filter(r -> r.equals("GET /api/tags")).count();
  }

  /** The JSON bodies the backend received on this path. */
  private static List<JsonNode> bodies(FakeOllama backend, String path) throws Exception {
    List<JsonNode> found = new ArrayList<>();
    for (String line : backend.bodies) {
      String prefix = "POST " + path + " ";
      if (line.startsWith(prefix)) found.add(JSON.readTree(line.substring(prefix.length())));
    }
    return found;
  }

  private static Map<String, String> aliases() {
    Map<String, String> aliases = new LinkedHashMap<>();
    aliases.put("gpt-4o", "llama3.1:8b");
    aliases.put("text-embedding-3-small", "nomic-embed-text");
    aliases.put("ghost", "not-installed-anywhere");
    return aliases;
  }

  // ---- ModelAliases ----

  @Test
  void aliasIsRoutedToBackendsHoldingItsTargetAndForwardedUnderTheTargetsName() throws Exception {
    start(Frontend.builder("f1").modelAliases(aliases()));

    for (int i = 0; i < 4; i++) {
      try (Response r = harness.post("/api/chat", "{\"model\":\"gpt-4o\",\"messages\":[]}")) {
        assertThat(r.code()).isEqualTo(200);
        assertThat(r.body().string()).contains("\"backend\":\"a\"");
      }
      try (Response r = harness.post("/v1/chat/completions", "{\"model\":\"gpt-4o\",\"messages\":[]}")) {
        assertThat(r.code()).isEqualTo(200);
        assertThat(r.header("X-OllamaFlow-Backend")).isEqualTo("a");
      }
    }
    try (Response r = harness.post("/v1/embeddings", "{\"model\":\"text-embedding-3-small\",\"input\":\"x\"}")) {
      assertThat(r.code()).isEqualTo(200);
    }
    try (Response r = harness.get("/v1/models/gpt-4o")) {
      assertThat(r.code()).as("the path is rewritten to the target").isEqualTo(200);
      assertThat(r.body().string()).contains("llama3.1:8b");
    }

    // The /v1 requests reach the Ollama backend translated to its native API.
    assertThat(bodies(a, "/api/chat")).hasSize(8).allSatisfy(body -> {
      assertThat(body.path("model").asText()).isEqualTo("llama3.1:8b");
      assertThat(body.has("messages")).isTrue();
    });
    assertThat(bodies(a, "/api/embed")).extracting(body -> body.path("model").asText())
        .containsExactly("nomic-embed-text");
    assertThat(bodies(a, "/api/show")).extracting(body -> body.path("model").asText())
        .containsExactly("llama3.1:8b");
    assertThat(b.bodies).as("b holds no target").isEmpty();
  }

  @Test
  void requestNamingARealModelIsForwardedByteForByteWhenAliasesExist() throws Exception {
    start(Frontend.builder("f1").modelAliases(aliases()));
    String sent = "{ \"model\" : \"qwen2.5:7b\",   \"messages\":[ ] }";

    try (Response r = harness.post("/api/chat", sent)) {
      assertThat(r.code()).isEqualTo(200);
    }

    assertThat(b.bodies).containsExactly("POST /api/chat " + sent);
  }

  @Test
  void aliasWhoseTargetNoBackendHoldsIsNotFoundUnderTheAliasName() throws Exception {
    start(Frontend.builder("f1").modelAliases(aliases()));

    try (Response r = harness.post("/api/generate", "{\"model\":\"ghost\",\"prompt\":\"hi\"}")) {
      assertThat(r.code()).isEqualTo(404);
      assertThat(r.body().string()).contains("not-installed-anywhere");
    }
  }

  @Test
  void aliasesAreListedInTagsAndModelsAsCopiesOfTheirTargetWhenTheTargetIsAvailable() throws Exception {
    a.digest("llama3.1:8b", "sha-llama");
    start(Frontend.builder("f1").modelAliases(aliases()));

    JsonNode tags = getJson("/api/tags");
    Map<String, String> digests = new LinkedHashMap<>();
    tags.path("models").forEach(m -> digests.put(m.path("name").asText(), m.path("digest").asText()));
    assertThat(digests).containsEntry("gpt-4o", "sha-llama").containsEntry("llama3.1:8b", "sha-llama")
        .containsKeys("text-embedding-3-small", "qwen2.5:7b:latest".replace(":latest", ""), "phi3:latest")
        .doesNotContainKey("ghost");
    JsonNode alias = find(tags.path("models"), "name", "gpt-4o");
    assertThat(alias.path("model").asText()).isEqualTo("gpt-4o");

    JsonNode models = getJson("/v1/models");
    List<String> ids = new ArrayList<>();
    models.path("data").forEach(m -> ids.add(m.path("id").asText()));
    assertThat(ids).contains("gpt-4o", "text-embedding-3-small", "llama3.1:8b", "phi3:latest").doesNotContain("ghost");
    assertThat(find(models.path("data"), "id", "gpt-4o").path("owned_by").asText()).isEqualTo("library");
  }

  // ---- ListConfiguredModelsOnly ----

  @Test
  void listConfiguredModelsOnlyShowsRequiredModelsAliasesAndTheirTargets() throws Exception {
    start(Frontend.builder("f1").modelAliases(Map.of("gpt-4o", "llama3.1:8b")).requiredModels(List.of("phi3"))
        .listConfiguredModelsOnly(true));

    List<String> names = new ArrayList<>();
    getJson("/api/tags").path("models").forEach(m -> names.add(m.path("name").asText()));
    assertThat(names).containsExactlyInAnyOrder("llama3.1:8b", "phi3:latest", "gpt-4o");

    List<String> ids = new ArrayList<>();
    getJson("/v1/models").path("data").forEach(m -> ids.add(m.path("id").asText()));
    assertThat(ids).containsExactlyInAnyOrder("llama3.1:8b", "phi3:latest", "gpt-4o");
  }

  // ---- PreloadModels / KeepModelsLoaded ----

  @Test
  void preloadModelsAreLoadedAtStartupOnlyOnBackendsHoldingThem() throws Exception {
    ObjectNode pins = JSON.createObjectNode();
    pins.putObject("options").put("num_ctx", 8192);
    start(Frontend.builder("f1").preloadModels(List.of("gpt-4o", "phi3")).modelAliases(Map.of("gpt-4o", "llama3.1:8b"))
        .pinnedCompletionsProperties(pins));

    Eventually.until(WAIT, "a was asked to load llama3.1:8b", () -> !bodies(a, "/api/generate").isEmpty());
    Eventually.until(WAIT, "b was asked to load phi3", () -> !bodies(b, "/api/generate").isEmpty());
    JsonNode load = bodies(a, "/api/generate").get(0);
    assertThat(load.path("model").asText()).isEqualTo("llama3.1:8b");
    assertThat(load.path("prompt").asText()).isEmpty();
    assertThat(load.path("options").path("num_ctx").asInt()).as("loaded as requests will ask").isEqualTo(8192);
    assertThat(bodies(a, "/api/generate")).extracting(body -> body.path("model").asText())
        .as("a backend loads only what it holds, once").containsExactly("llama3.1:8b");
    assertThat(bodies(b, "/api/generate")).extracting(body -> body.path("model").asText()).containsExactly("phi3");
  }

  @Test
  void preloadIsSentAgainWhenABackendTurnsHealthy() throws Exception {
    start(Frontend.builder("f1").preloadModels(List.of("llama3.1:8b")).keepModelsLoaded(true));
    Eventually.until(WAIT, "the startup load", () -> !bodies(a, "/api/generate").isEmpty());

    a.down.set(true);
    Eventually.until(WAIT, "a is ejected", () -> harness.cluster().health().get("a").state() == HealthState.UNHEALTHY);
    a.bodies.clear();
    a.down.set(false);
    Eventually.until(WAIT, "a is back", () -> harness.cluster().health().get("a").state() == HealthState.HEALTHY);

    Eventually.until(WAIT, "a was asked to load llama3.1:8b again", () -> bodies(a, "/api/generate").stream()
        .anyMatch(body -> body.path("model").asText().equals("llama3.1:8b") && body.path("prompt").asText().isEmpty()));
  }

  // ---- Default properties ----

  @Test
  void defaultsFillOnlyWhatTheClientLeftOutAndPinsStillWin() throws Exception {
    ObjectNode defaults = JSON.createObjectNode().put("keep_alive", "10m");
    defaults.putObject("options").put("num_ctx", 8192).put("temperature", 0.5).put("top_k", 10);
    ObjectNode pins = JSON.createObjectNode();
    pins.putObject("options").put("temperature", 0.1);
    ObjectNode embedDefaults = JSON.createObjectNode().put("truncate", false);
    start(Frontend.builder("f1").defaultCompletionsProperties(defaults).pinnedCompletionsProperties(pins)
        .defaultEmbeddingsProperties(embedDefaults));

    try (Response r = harness.post("/api/generate",
        "{\"model\":\"llama3.1:8b\",\"prompt\":\"hi\",\"keep_alive\":0,\"options\":{\"num_ctx\":2048,\"temperature\":0.9}}")) {
      assertThat(r.code()).isEqualTo(200);
    }
    try (Response r = harness.post("/api/chat", "{\"model\":\"llama3.1:8b\",\"messages\":[]}")) {
      assertThat(r.code()).isEqualTo(200);
    }
    try (Response r = harness.post("/api/embed", "{\"model\":\"nomic-embed-text\",\"input\":\"x\"}")) {
      assertThat(r.code()).isEqualTo(200);
    }

    JsonNode generate = bodies(a, "/api/generate").get(0);
    assertThat(generate.path("keep_alive").asInt()).as("client's keep_alive kept").isZero();
    assertThat(generate.path("options").path("num_ctx").asInt()).as("client's num_ctx kept").isEqualTo(2048);
    assertThat(generate.path("options").path("top_k").asInt()).as("missing option filled").isEqualTo(10);
    assertThat(generate.path("options").path("temperature").asDouble()).as("pin wins over client").isEqualTo(0.1);
    JsonNode chat = bodies(a, "/api/chat").get(0);
    assertThat(chat.path("keep_alive").asText()).isEqualTo("10m");
    assertThat(chat.path("options").path("num_ctx").asInt()).isEqualTo(8192);
    assertThat(chat.path("options").path("temperature").asDouble()).as("pin wins over default").isEqualTo(0.1);
    JsonNode embed = bodies(a, "/api/embed").get(0);
    assertThat(embed.path("truncate").asBoolean(true)).isFalse();
    assertThat(embed.has("keep_alive")).as("completion defaults stay off embeddings").isFalse();
  }

  private JsonNode getJson(String path) throws Exception {
    try (Response r = harness.get(path)) {
      assertThat(r.code()).isEqualTo(200);
      return JSON.readTree(r.body().string());
    }
  }

  private static JsonNode find(JsonNode array, String field, String value) {
    for (JsonNode entry : array) {
      if (entry.path(field).asText().equals(value)) return entry;
    }
    throw new AssertionError(value + " not in " + array);
  }
}
