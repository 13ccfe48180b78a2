package io.ollamaflow.examples.sim;

import static io.ollamaflow.examples.sim.SimHttp.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** keep_alive: per request or by default, judged by a clock the test moves. */
class SimulatedOllamaKeepAliveTest {
  private final MovableClock clock = new MovableClock();
  private SimulatedOllama sim;
  private SimHttp http;

  @BeforeEach
  void start() throws Exception {
    sim = SimulatedOllama.builder().id("sim-k").models(List.of("llama3", "qwen2.5:7b"))
        .tokenDelay(Duration.ZERO).coldLoadDelay(Duration.ZERO).keepAlive(Duration.ofMinutes(2)).clock(clock).start();
    http = new SimHttp(sim);
  }

  @AfterEach
  void stop() {
    sim.close();
  }

  private HttpResponse<String> generate(String model, String keepAlive) {
    String field = keepAlive == null ? "" : ",\"keep_alive\":" + keepAlive;
    return http.post("/api/generate", "{\"model\":\"" + model + "\",\"prompt\":\"hi\",\"stream\":false" + field + "}");
  }

  private JsonNode ps() {
    return json(http.get("/api/ps")).path("models");
  }

  @Test
  void modelExpiresTheDefaultKeepAliveAfterItsLastUse() {
    generate("llama3", null);
    assertThat(Instant.parse(ps().get(0).path("expires_at").asText()))
        .isEqualTo(clock.instant().plus(Duration.ofMinutes(2)));

    clock.advance(Duration.ofSeconds(119));
    assertThat(ps()).hasSize(1);
    clock.advance(Duration.ofSeconds(1));
    assertThat(ps()).isEmpty();

    generate("llama3", null);
    assertThat(sim.coldLoads()).as("expired, so loaded again").isEqualTo(2);
  }

  @Test
  void requestKeepAliveAsSecondsOrDurationStringOverridesTheDefault() {
    generate("llama3", "30");
    generate("qwen2.5:7b", "\"1h30m\"");

    clock.advance(Duration.ofSeconds(30));
    assertThat(ps()).extracting(m -> m.path("name").asText()).containsExactly("qwen2.5:7b");
    clock.advance(Duration.ofMinutes(90));
    assertThat(ps()).isEmpty();
  }

  @Test
  void keepAliveZeroUnloadsOnceAnsweredAndNegativeKeepsTheModelForGood() {
    assertThat(generate("llama3", "0").statusCode()).isEqualTo(200);
    assertThat(ps()).isEmpty();

    generate("qwen2.5:7b", "\"-1m\"");
    clock.advance(Duration.ofDays(3650));
    assertThat(ps()).extracting(m -> m.path("name").asText()).containsExactly("qwen2.5:7b");
  }

  @Test
  void invalidKeepAliveIs400NamingTheValue() {
    HttpResponse<String> response = generate("llama3", "\"soon\"");

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(json(response).path("error").asText()).contains("\"soon\"");
    assertThat(ps()).isEmpty();
  }

  @Test
  void emptyPromptLoadsTheModelAndKeepAliveZeroWithoutPromptUnloadsIt() {
    HttpResponse<String> load = http.post("/api/generate", "{\"model\":\"llama3\",\"prompt\":\"\",\"stream\":false}");
    assertThat(json(load).path("done_reason").asText()).isEqualTo("load");
    assertThat(json(load).path("response").asText()).isEmpty();
    HttpResponse<String> chatLoad = http.post("/api/chat", "{\"model\":\"qwen2.5:7b\",\"messages\":[]}");
    assertThat(json(chatLoad).path("done_reason").asText()).isEqualTo("load");
    assertThat(ps()).extracting(m -> m.path("name").asText()).containsExactly("qwen2.5:7b", "llama3:latest");
    assertThat(sim.coldLoads()).isEqualTo(2);

    HttpResponse<String> unload = http.post("/api/generate", "{\"model\":\"llama3\",\"keep_alive\":0}");

    assertThat(json(unload).path("done_reason").asText()).isEqualTo("unload");
    assertThat(ps()).extracting(m -> m.path("name").asText()).containsExactly("qwen2.5:7b");
  }
}
