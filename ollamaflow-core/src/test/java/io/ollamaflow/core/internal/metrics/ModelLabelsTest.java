package io.ollamaflow.core.internal.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ollamaflow.api.ErrorCode;
import io.ollamaflow.api.FlowException;
import io.ollamaflow.api.RequestInfo;
import io.ollamaflow.api.RequestKind;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ModelLabelsTest {
  /** A finished request as the proxy reports it. */
  private record Finished(String model, int status) implements RequestInfo {
    @Override public String requestId() { return "r"; }
    @Override public String method() { return "POST"; }
    @Override public String path() { return "/api/chat"; }
    @Override public String clientAddress() { return "127.0.0.1"; }
    @Override public String frontendId() { return "f1"; }
    @Override public RequestKind kind() { return RequestKind.CHAT; }
    @Override public String backendId() { return status == 0 ? null : "b1"; }
    @Override public long elapsedNanos() { return 1_000_000; }
  }

  @Test
  void tenThousandRefusedInventedNamesAddOneSeries() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    ClusterMetrics metrics = MicrometerMetrics.create(registry);
    for (int i = 0; i < 10_000; i++) {
      metrics.requestFailed(new Finished("invented-" + i, 0), new FlowException(ErrorCode.MODEL_NOT_FOUND, "no"));
      metrics.requestFinished(new Finished("passed-through-" + i, 404));
    }

    Set<String> models = new HashSet<>();
    for (Meter meter : registry.getMeters()) models.add(meter.getId().getTag("model"));
    assertThat(models).containsExactly("other");
  }

  @Test
  void namesThatSucceedAreKeptUpToTheCapThenCountedAsOther() {
    ModelLabels labels = new ModelLabels();
    Set<String> values = new HashSet<>();
    for (int i = 0; i < 10_000; i++) values.add(labels.of("model-" + i, 200));

    assertThat(values).hasSize(ModelLabels.MAX_MODELS + 1).contains("model-0:latest", ModelLabels.OTHER);
    assertThat(labels.of("model-0", 200)).isEqualTo("model-0:latest");
    assertThat(labels.of(null, 200)).isEqualTo(ModelLabels.NONE);
  }
}
