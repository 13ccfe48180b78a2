package io.ollamaflow.core.internal.metrics;

import io.ollamaflow.api.FlowEventListener;
import io.ollamaflow.core.internal.routing.BackendState;
import io.ollamaflow.core.internal.routing.RouteTable;
import java.util.Collection;
import java.util.function.ToIntFunction;

/**
 * What the cluster sees of its metrics recorder. Free of Micrometer types, so a cluster built
 * without a {@code MeterRegistry} never loads a Micrometer class: only {@link MicrometerMetrics}
 * names them, and it is touched only when a registry was given.
 */
public interface ClusterMetrics extends FlowEventListener {
  /** Every routing snapshot the cluster publishes, with every configured backend: the rows of the gauges. */
  void routesPublished(RouteTable routes, Collection<BackendState> backends);

  /** Where the gauge of requests waiting for a slot reads, per frontend identifier. */
  void queueDepth(ToIntFunction<String> queuedByFrontend);
}
