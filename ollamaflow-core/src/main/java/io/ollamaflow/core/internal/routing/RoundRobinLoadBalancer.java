package io.ollamaflow.core.internal.routing;

import io.ollamaflow.api.BackendView;
import io.ollamaflow.api.LoadBalancer;
import io.ollamaflow.api.PickContext;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Takes the candidates in turn, each as many times in a row as its {@code Weight}; one counter per
 * frontend. Over identical backends that can all serve, every backend gets the same share of each
 * cycle, whatever they hold in memory: that is what the name promises.
 */
final class RoundRobinLoadBalancer implements LoadBalancer {
  private final AtomicLong next = new AtomicLong();

  @Override
  public BackendView pick(List<BackendView> candidates, PickContext context) {
    // floorMod keeps the position valid after the counter wraps.
    return Weights.at(candidates, Math.floorMod(next.getAndIncrement(), Weights.total(candidates)));
  }
}
