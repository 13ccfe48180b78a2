package io.ollamaflow.core.internal.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ollamaflow.api.Backend;
import io.ollamaflow.api.RequestInfo;
import io.ollamaflow.core.ModelPull;
import io.ollamaflow.core.internal.routing.BackendState;
import io.ollamaflow.core.internal.routing.RouteTable;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MicrometerMetricsTest {
  @Test
  void requestsWithTheSameLabelsShareOneSeriesAndRequestsWithOtherLabelsGetTheirOwn() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    ClusterMetrics metrics = MicrometerMetrics.create(registry);
    for (RequestInfo r : List.of(new ChatRequest("llama3", "b1", 200), new ChatRequest("LLAMA3:latest", "b1", 200),
        new ChatRequest("llama3", "b2", 200), new ChatRequest("llama3", "b1", 503))) {
      metrics.firstByte(r);
      metrics.requestFinished(r);
    }

    assertThat(registry.get("ollamaflow.request.duration").tags("backend", "b1", "model", "llama3:latest", "status", "2xx")
        .timer().count()).isEqualTo(2);
    assertThat(registry.get("ollamaflow.request.duration").tags("backend", "b2", "status", "2xx").timer().count()).isEqualTo(1);
    assertThat(registry.get("ollamaflow.request.duration").tags("backend", "b1", "status", "5xx").timer().count()).isEqualTo(1);
    assertThat(registry.get("gen_ai.server.time_to_first_token").tag("backend", "b1").timer().count()).isEqualTo(2);
    assertThat(registry.get("gen_ai.client.token.usage").tags("backend", "b1", "gen_ai.token.type", "input")
        .summary().totalAmount()).isEqualTo(14);
    assertThat(registry.get("gen_ai.client.token.usage").tags("backend", "b1", "gen_ai.token.type", "output")
        .summary().totalAmount()).isEqualTo(6);
    assertThat(registry.find("ollamaflow.request.duration").timers()).hasSize(3);
  }
  private static ModelPull pull(String backend, String model, ModelPull.State state) {
    return new ModelPull(backend, model, state, "pulling", 10, 100, null, Instant.EPOCH);
  }

  @Test
  void pullGaugeCountsThePullsQueuedOrUnderWayOnEachBackendAsTheyChange() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    ClusterMetrics metrics = MicrometerMetrics.create(registry);
    List<ModelPull> pulls = new ArrayList<>(List.of(pull("b1", "llama3", ModelPull.State.PULLING),
        pull("b1", "qwen", ModelPull.State.QUEUED), pull("b1", "phi", ModelPull.State.DONE),
        pull("b2", "llama3", ModelPull.State.FAILED)));
    metrics.sources(frontend -> 0, () -> List.copyOf(pulls));
    Clock clock = Clock.systemUTC();
    metrics.routesPublished(RouteTable.EMPTY, List.of(new BackendState(Backend.builder("b1").build(), clock),
        new BackendState(Backend.builder("b2").build(), clock)));

    assertThat(registry.get("ollamaflow.backend.model.pulls").tag("backend", "b1").gauge().value()).isEqualTo(2);
    assertThat(registry.get("ollamaflow.backend.model.pulls").tag("backend", "b2").gauge().value()).isZero();

    pulls.set(0, pull("b1", "llama3", ModelPull.State.DONE));
    assertThat(registry.get("ollamaflow.backend.model.pulls").tag("backend", "b1").gauge().value()).isEqualTo(1);
  }
}
