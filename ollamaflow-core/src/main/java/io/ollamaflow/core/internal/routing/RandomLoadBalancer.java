package io.ollamaflow.core.internal.routing;

import io.ollamaflow.api.BackendView;
import io.ollamaflow.api.LoadBalancer;
import io.ollamaflow.api.PickContext;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** Picks a candidate uniformly at random. Stateless, so one instance serves every frontend. */
final class RandomLoadBalancer implements LoadBalancer {
  static final RandomLoadBalancer INSTANCE = new RandomLoadBalancer();

  @Override
  public BackendView pick(List<BackendView> candidates, PickContext context) {
    return candidates.get(ThreadLocalRandom.current().nextInt(candidates.size()));
  }
}
