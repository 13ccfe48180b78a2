package io.ollamaflow.core.internal.routing;

import io.ollamaflow.api.BackendView;
import io.ollamaflow.api.LoadBalancer;
import io.ollamaflow.api.PickContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Picks the least loaded candidate: fewest requests per unit of {@code Weight}, counting this
 * cluster's requests in flight and the load the backend reports from elsewhere. Ties go round in
 * turn, so sequential traffic over idle backends spreads instead of always landing on the first,
 * and concurrent picks that all see the same idle backends spread too. One counter per frontend.
 */
final class LeastRequestsLoadBalancer implements LoadBalancer {
  private final AtomicInteger ties = new AtomicInteger();

  @Override
  public BackendView pick(List<BackendView> candidates, PickContext context) {
    List<BackendView> least = new ArrayList<>(candidates.size());
    double lowest = Double.MAX_VALUE;
    for (BackendView candidate : candidates) {
      double load = (candidate.activeRequests() + candidate.externalLoad()) / (double) candidate.backend().weight();
      if (load < lowest) {
        least.clear();
        lowest = load;
      }
      if (load == lowest) least.add(candidate);
    }
    return least.get(Math.floorMod(ties.getAndIncrement(), least.size()));
  }
}
