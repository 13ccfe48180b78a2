package io.ollamaflow.examples.sim;

import static io.ollamaflow.examples.sim.SimHttp.eventually;
import static io.ollamaflow.examples.sim.SimHttp.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The {@link SimulatedOllama.Flavor#LLAMA_CPP} flavor: llama-server's slots and monitoring routes. */
class SimulatedLlamaCppTest {
  private static final String MODEL = "gemma-3-4b-it-Q4_K_M.gguf";
  private static final Duration WAIT = Duration.ofSeconds(10);

  private SimulatedOllama sim;
  private SimHttp http;

  @BeforeEach
  void start() throws Exception {
    sim = SimulatedOllama.builder().flavor(SimulatedOllama.Flavor.LLAMA_CPP).id("llama-1").models(List.of(MODEL))
        .parallel(2).tokens(4).tokenDelay(Duration.ofMillis(150)).start();
    http = new SimHttp(sim);
  }

  @AfterEach
  void stop() {
    sim.close();
  }

  private CompletableFuture<HttpResponse<String>> chat() {
    String body = "{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    return http.postAsync("/v1/chat/completions", body);
  }

  private List<Boolean> processing() {
    List<Boolean> slots = new ArrayList<>();
    json(http.get("/slots")).forEach(slot -> slots.add(slot.path("is_processing").asBoolean()));
    return slots;
  }

  @Test
  void healthIsOkAndUnknownPathsAre404WithAnErrorObject() {
    assertThat(json(http.get("/health")).path("status").asText()).isEqualTo("ok");

    HttpResponse<String> missing = http.get("/api/tags");
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(json(missing).path("error").path("code").asInt()).isEqualTo(404);
    assertThat(json(missing).path("error").path("type").asText()).isEqualTo("not_found_error");
  }

  @Test
  void idleServerReportsFreeSlotsAndNoRequests() {
    assertThat(processing()).containsExactly(false, false);
    assertThat(SimHttp.prometheusGauges(http.get("/metrics"))).containsOnly(
        Map.entry("llamacpp:requests_processing", 0.0),
        Map.entry("llamacpp:requests_deferred", 0.0));
  }

  @Test
  void requestsBeyondTheSlotsAreDeferredAndShowOnSlotsAndMetrics() {
    List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      calls.add(chat());
    }

    assertThat(eventually(WAIT, () -> sim.queuedRequests() == 1)).isTrue();
    assertThat(processing()).containsExactly(true, true);
    assertThat(SimHttp.prometheusGauges(http.get("/metrics")))
        .containsEntry("llamacpp:requests_processing", 2.0)
        .containsEntry("llamacpp:requests_deferred", 1.0);

    for (CompletableFuture<HttpResponse<String>> call : calls) {
      HttpResponse<String> response = call.join();
      assertThat(response.statusCode()).isEqualTo(200);
      JsonNode answer = json(response);
      assertThat(answer.path("choices").path(0).path("message").path("content").asText())
          .startsWith("Hello from llama-1.");
    }
    assertThat(eventually(WAIT, () -> processing().equals(List.of(false, false)))).isTrue();
  }
}
