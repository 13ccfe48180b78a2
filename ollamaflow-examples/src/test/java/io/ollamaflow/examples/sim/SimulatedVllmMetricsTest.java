package io.ollamaflow.examples.sim;

import static io.ollamaflow.examples.sim.SimHttp.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The vLLM flavor's engine: max_num_seqs running slots, a waiting queue beyond them, and GET
 * /metrics reporting both in Prometheus' text format, also for traffic sent to it directly.
 */
class SimulatedVllmMetricsTest {
  private static final String MODEL = "Qwen/Qwen2.5-1.5B-Instruct";
  private static final String LABELS = "{engine=\"0\",model_name=\"" + MODEL + "\"}";
  private static final Duration WAIT = Duration.ofSeconds(10);

  private SimulatedOllama sim;
  private SimHttp http;

  @BeforeEach
  void start() throws Exception {
    sim = SimulatedOllama.builder().flavor(SimulatedOllama.Flavor.VLLM).id("vllm-m").models(List.of(MODEL))
        .parallel(2).tokens(4).tokenDelay(Duration.ofMillis(250)).start();
    http = new SimHttp(sim);
  }

  @AfterEach
  void stop() {
    sim.close();
  }

  private Map<String, Double> metrics() {
    return SimHttp.prometheusGauges(http.get("/metrics"));
  }

  private CompletableFuture<HttpResponse<String>> chat() {
    String body = "{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    return http.postAsync("/v1/chat/completions", body);
  }

  @Test
  void idleEngineReportsZeroRunningWaitingAndCacheUsageWithTheModelLabel() {
    assertThat(metrics()).containsOnly(
        Map.entry("vllm:num_requests_running" + LABELS, 0.0),
        Map.entry("vllm:num_requests_waiting" + LABELS, 0.0),
        Map.entry("vllm:kv_cache_usage_perc" + LABELS, 0.0),
        Map.entry("vllm:gpu_cache_usage_perc" + LABELS, 0.0));
  }

  @Test
  void requestsBeyondMaxNumSeqsWaitAndShowOnMetrics() {
    List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      calls.add(chat());
      int sent = i + 1;
      // One at a time, so that the high-water mark counts waits for a slot only.
      assertThat(eventually(WAIT, () -> sim.runningRequests() + sim.queuedRequests() == sent)).isTrue();
    }

    Map<String, Double> busy = metrics();
    assertThat(busy).containsEntry("vllm:num_requests_running" + LABELS, 2.0)
        .containsEntry("vllm:num_requests_waiting" + LABELS, 3.0)
        .containsEntry("vllm:kv_cache_usage_perc" + LABELS, 1.0);

    calls.forEach(call -> assertThat(call.join().statusCode()).isEqualTo(200));
    assertThat(eventually(WAIT, () -> sim.runningRequests() == 0)).isTrue();
    assertThat(metrics()).containsEntry("vllm:num_requests_waiting" + LABELS, 0.0)
        .containsEntry("vllm:num_requests_running" + LABELS, 0.0);
    assertThat(sim.maxQueuedRequests()).isEqualTo(3);
  }

  @Test
  void oneRunningRequestUsesItsShareOfTheCache() {
    CompletableFuture<HttpResponse<String>> call = chat();
    assertThat(eventually(WAIT, () -> sim.runningRequests() == 1)).isTrue();

    assertThat(metrics()).containsEntry("vllm:kv_cache_usage_perc" + LABELS, 0.5)
        .containsEntry("vllm:gpu_cache_usage_perc" + LABELS, 0.5);
    assertThat(call.join().statusCode()).isEqualTo(200);
  }
}
