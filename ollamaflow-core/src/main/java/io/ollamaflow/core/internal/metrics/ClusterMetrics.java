package io.ollamaflow.core.internal.metrics;

import io.ollamaflow.api.FlowEventListener;
import io.ollamaflow.core.internal.routing.BackendState;
import io.ollamaflow.core.internal.routing.RouteTable;
import io.ollamaflow.core.ModelPull;
import java.util.Collection;
import java.util.List;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;

/**
 * What the cluster sees of its metrics recorder. Free of Micrometer types, so a cluster built
 * without a {@code MeterRegistry} never loads a Micrometer class: only {@link MicrometerMetrics}
 * names them, and it is touched only when a registry was given.
 */
public interface ClusterMetrics extends FlowEventListener {
  /** Every routing snapshot the cluster publishes, with every configured backend: the rows of the gauges. */
  void routesPublished(RouteTable routes, Collection<BackendState> backends);

  /**
   * Where the gauges that are not backend state read: requests waiting for a slot, per frontend
   * identifier, and the RequiredModels pulls.
   */
  void sources(ToIntFunction<String> queuedByFrontend, Supplier<List<ModelPull>> pulls);
}
