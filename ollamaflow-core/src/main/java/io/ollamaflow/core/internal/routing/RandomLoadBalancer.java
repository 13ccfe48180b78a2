package io.ollamaflow.core.internal.routing;

import io.ollamaflow.api.BackendView;
import io.ollamaflow.api.LoadBalancer;
import io.ollamaflow.api.PickContext;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Picks a candidate at random, in proportion to its {@code Weight} (uniformly when weights are
 * equal). Stateless, so one instance serves every frontend.
 */
final class RandomLoadBalancer implements LoadBalancer {
  static final RandomLoadBalancer INSTANCE = new RandomLoadBalancer();

  @Override
  public BackendView pick(List<BackendView> candidates, PickContext context) {
    return Weights.at(candidates, ThreadLocalRandom.current().nextLong(Weights.total(candidates)));
  }
}
