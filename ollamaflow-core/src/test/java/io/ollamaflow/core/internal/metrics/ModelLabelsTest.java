package io.ollamaflow.core.internal.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ollamaflow.api.ErrorCode;
import io.ollamaflow.api.FlowException;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ModelLabelsTest {
  @Test
  void tenThousandRefusedInventedNamesAddOneSeries() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    ClusterMetrics metrics = MicrometerMetrics.create(registry);
    for (int i = 0; i < 10_000; i++) {
      metrics.requestFailed(new ChatRequest("invented-" + i, null, 0), new FlowException(ErrorCode.MODEL_NOT_FOUND, "no"));
      metrics.requestFinished(new ChatRequest("passed-through-" + i, "b1", 404));
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
