package io.ollamaflow.core.internal.routing;

import io.ollamaflow.api.BackendView;
import io.ollamaflow.api.LoadBalancer;
import io.ollamaflow.api.PickContext;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** Takes the candidates in turn, starting with the first; one counter per frontend. */
final class RoundRobinLoadBalancer implements LoadBalancer {
  private final AtomicInteger next = new AtomicInteger();

  @Override
  public BackendView pick(List<BackendView> candidates, PickContext context) {
    // floorMod keeps the index valid after the counter wraps past Integer.MAX_VALUE.
    return candidates.get(Math.floorMod(next.getAndIncrement(), candidates.size()));
  }
}
