package io.ollamaflow.examples.sim;

import static io.ollamaflow.examples.sim.SimHttp.json;
import static io.ollamaflow.examples.sim.SimHttp.ndjson;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Model residency: empty at start, cold-load delay, LRU eviction, shared loads, keep_alive and
 * /api/ps. Timing is tolerant.
 */
class SimulatedOllamaResidencyTest {
  private static final Duration COLD = Duration.ofMillis(300);
  private static final long COLD_MIN_NANOS = Duration.ofMillis(280).toNanos();
  private static final long WARM_MAX_NANOS = Duration.ofMillis(150).toNanos();
  private static final List<String> MODELS = List.of("llama3", "qwen2.5:7b");

  private SimulatedOllama sim;
  private SimHttp http;

  private void start(SimulatedOllama.Builder builder) throws Exception {
    sim = builder.id("sim-r").models(MODELS).tokenDelay(Duration.ZERO).start();
    http = new SimHttp(sim);
  }

  @AfterEach
  void stop() {
    if (sim != null) {
      sim.close();
    }
  }

  private static String generate(String model, boolean stream) {
    return "{\"model\":\"" + model + "\",\"prompt\":\"hi\",\"stream\":" + stream + "}";
  }

  private record Timed(HttpResponse<String> response, long nanos) {}

  private Timed timedPost(String path, String body) {
    long started = System.nanoTime();
    HttpResponse<String> response = http.post(path, body);
    return new Timed(response, System.nanoTime() - started);
  }

  private List<String> ps() {
    List<String> names = new ArrayList<>();
    json(http.get("/api/ps")).path("models").forEach(m -> names.add(m.path("name").asText()));
    return names;
  }

  @Test
  void coldRequestWaitsForTheLoadAndReportsItWarmRequestDoesNot() throws Exception {
    start(SimulatedOllama.builder().coldLoadDelay(COLD).loadedModels(List.of("llama3")));
    assertThat(ps()).containsExactly("llama3:latest");

    Timed cold = timedPost("/api/generate", generate("qwen2.5:7b", true));
    assertThat(cold.response().statusCode()).isEqualTo(200);
    assertThat(cold.nanos()).isGreaterThanOrEqualTo(COLD_MIN_NANOS);
    List<JsonNode> lines = ndjson(cold.response().body());
    JsonNode last = lines.get(lines.size() - 1);
    assertThat(last.path("done").asBoolean()).isTrue();
    assertThat(last.path("load_duration").asLong()).isGreaterThanOrEqualTo(COLD_MIN_NANOS);
    assertThat(last.path("total_duration").asLong()).isGreaterThanOrEqualTo(last.path("load_duration").asLong());
    assertThat(sim.coldLoads()).isEqualTo(1);

    Timed warm = timedPost("/api/generate", generate("qwen2.5:7b", false));
    assertThat(warm.response().statusCode()).isEqualTo(200);
    assertThat(warm.nanos()).isLessThan(WARM_MAX_NANOS);
    assertThat(json(warm.response()).path("load_duration").asLong()).isLessThan(WARM_MAX_NANOS);

    Timed initiallyLoaded = timedPost("/api/chat",
        "{\"model\":\"llama3\",\"stream\":false,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
    assertThat(initiallyLoaded.nanos()).isLessThan(WARM_MAX_NANOS);
    assertThat(json(initiallyLoaded.response()).path("load_duration").asLong()).isLessThan(WARM_MAX_NANOS);
    assertThat(sim.coldLoads()).isEqualTo(1);
    assertThat(ps()).as("the default residency of three keeps both, most recently used first")
        .containsExactly("llama3:latest", "qwen2.5:7b");
  }

  @Test
  void residencyOfOneAlternatesLoadsEvictingTheLeastRecentlyUsed() throws Exception {
    start(SimulatedOllama.builder().residentModels(1).coldLoadDelay(Duration.ofMillis(50))
        .loadedModels(List.of("llama3")));
    assertThat(ps()).containsExactly("llama3:latest");

    assertThat(http.post("/api/generate", generate("qwen2.5:7b", false)).statusCode()).isEqualTo(200);
    assertThat(sim.coldLoads()).isEqualTo(1);
    assertThat(ps()).containsExactly("qwen2.5:7b");

    assertThat(http.post("/v1/chat/completions",
        "{\"model\":\"llama3\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}").statusCode()).isEqualTo(200);
    assertThat(sim.coldLoads()).isEqualTo(2);
    assertThat(ps()).containsExactly("llama3:latest");

    assertThat(http.post("/api/generate", generate("llama3", false)).statusCode()).isEqualTo(200);
    assertThat(sim.coldLoads()).as("already loaded").isEqualTo(2);

    assertThat(http.post("/api/embed", "{\"model\":\"qwen2.5:7b\",\"input\":\"x\"}").statusCode()).isEqualTo(200);
    assertThat(sim.coldLoads()).isEqualTo(3);
    JsonNode models = json(http.get("/api/ps")).path("models");
    assertThat(models).hasSize(1);
    assertThat(models.get(0).path("name").asText()).isEqualTo("qwen2.5:7b");
    Instant expiresAt = Instant.parse(models.get(0).path("expires_at").asText());
    assertThat(expiresAt).isBetween(Instant.now().plusSeconds(290), Instant.now().plusSeconds(301));
  }

  @Test
  void residencyOfTwoEvictsTheLeastRecentlyUsedOfThree() throws Exception {
    sim = SimulatedOllama.builder()
        .models(List.of("a", "b", "c"))
        .loadedModels(List.of("a", "b", "c"))
        .residentModels(2)
        .tokenDelay(Duration.ZERO)
        .start();
    http = new SimHttp(sim);
    assertThat(ps()).as("trimmed to residentModels, first listed most recent").containsExactly("a:latest", "b:latest");

    http.post("/api/generate", generate("b", false));
    http.post("/api/generate", generate("c", false));

    assertThat(ps()).containsExactly("c:latest", "b:latest");
    assertThat(sim.coldLoads()).isEqualTo(1);
  }

  @Test
  void concurrentRequestsForOneColdModelShareOneLoad() throws Exception {
    start(SimulatedOllama.builder().residentModels(1).coldLoadDelay(COLD));
    List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      calls.add(http.client().sendAsync(http.request("POST", "/api/generate", generate("qwen2.5:7b", false)),
          HttpResponse.BodyHandlers.ofString()));
    }

    calls.forEach(call -> assertThat(call.join().statusCode()).isEqualTo(200));

    assertThat(sim.coldLoads()).isEqualTo(1);
    assertThat(ps()).containsExactly("qwen2.5:7b");
  }

  @Test
  void defaultBuilderStartsWithNothingLoadedAndLoadsOnFirstUse() throws Exception {
    start(SimulatedOllama.builder());
    assertThat(ps()).isEmpty();

    HttpResponse<String> first = http.post("/api/generate", generate("qwen2.5:7b", false));
    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(json(first).path("load_duration").asLong())
        .isGreaterThanOrEqualTo(SimulatedOllama.DEFAULT_COLD_LOAD_DELAY.toNanos());
    assertThat(sim.coldLoads()).isEqualTo(1);
    assertThat(ps()).containsExactly("qwen2.5:7b");

    HttpResponse<String> second = http.post("/api/generate", generate("qwen2.5:7b", false));
    assertThat(json(second).path("load_duration").asLong()).isEqualTo(1_000_000);
    assertThat(sim.coldLoads()).isEqualTo(1);
  }

  @Test
  void deletingALoadedModelFreesItsSlot() throws Exception {
    start(SimulatedOllama.builder().residentModels(1).loadedModels(List.of("llama3")));

    assertThat(http.send("DELETE", "/api/delete", "{\"model\":\"llama3\"}").statusCode()).isEqualTo(200);
    assertThat(ps()).isEmpty();
    http.post("/api/generate", generate("qwen2.5:7b", false));
    assertThat(ps()).containsExactly("qwen2.5:7b");
  }

  @Test
  void builderRejectsInvalidResidencySettings() {
    assertThatThrownBy(() -> SimulatedOllama.builder().residentModels(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("residentModels: 0");
    assertThatThrownBy(() -> SimulatedOllama.builder().coldLoadDelay(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("coldLoadDelay");
    assertThatThrownBy(() -> SimulatedOllama.builder().coldLoadDelay(null))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("coldLoadDelay");
    assertThatThrownBy(() -> SimulatedOllama.builder().parallel(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("parallel: 0");
    assertThatThrownBy(() -> SimulatedOllama.builder().keepAlive(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("keepAlive");
  }
}
