package io.ollamaflow.core.internal.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.ollamaflow.core.internal.json.Json;
import org.junit.jupiter.api.Test;

class ReportedLoadTest {
  @Test
  void readsVllmGaugesSummedOverModels() {
    String metrics = """
        # HELP vllm:num_requests_running Number of requests in model execution batches.
        # TYPE vllm:num_requests_running gauge
        vllm:num_requests_running{engine="0",model_name="Qwen/Qwen3-8B"} 3.0
        vllm:num_requests_running{engine="0",model_name="meta-llama/Llama-3.1-8B"} 1.0
        # HELP vllm:num_requests_waiting Number of requests waiting to be processed.
        # TYPE vllm:num_requests_waiting gauge
        vllm:num_requests_waiting{engine="0",model_name="Qwen/Qwen3-8B"} 5.0
        vllm:kv_cache_usage_perc{engine="0",model_name="Qwen/Qwen3-8B"} 0.93
        vllm:num_requests_running_total 99
        """;

    assertThat(ReportedLoad.fromMetrics(metrics)).isEqualTo(new ReportedLoad(4, 5, -1));
  }

  @Test
  void readsLlamaCppGauges() {
    String metrics = """
        # TYPE llamacpp:requests_processing gauge
        llamacpp:requests_processing 2
        # TYPE llamacpp:requests_deferred gauge
        llamacpp:requests_deferred 1
        """;

    assertThat(ReportedLoad.fromMetrics(metrics)).isEqualTo(new ReportedLoad(2, 1, -1));
  }

  @Test
  void metricsWithoutTheseGaugesReportNothing() {
    assertThat(ReportedLoad.fromMetrics("process_cpu_seconds_total 12.5\n")).isEqualTo(ReportedLoad.NOTHING);
  }

  @Test
  void llamaCppSlotsGiveTheSlotCountAndTheBusyOnes() throws Exception {
    var slots = Json.MAPPER.readTree("[{\"id\":0,\"is_processing\":true},{\"id\":1,\"is_processing\":false}]");

    assertThat(LoadReporter.withSlots(ReportedLoad.NOTHING, slots)).isEqualTo(new ReportedLoad(1, -1, 2));
  }
}
