package io.ollamaflow.examples;

import io.ollamaflow.api.BackendView;
import io.ollamaflow.api.Frontend;
import io.ollamaflow.api.LoadBalancer;
import io.ollamaflow.api.LoadBalancerProvider;
import io.ollamaflow.api.PickContext;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A custom load-balancing policy, {@code least-utilization}: the backend with the smallest share
 * of its capacity in use ({@code activeRequests / MaxParallelRequests}), so a big GPU box with 8
 * slots takes more of the load than a small one with 2, where {@code least-requests} would split
 * it evenly. Ties go round-robin.
 *
 * <p>A cluster offers it once registered on its builder,
 * {@code FlowCluster.builder().loadBalancer(new LeastUtilizationBalancer())}; then a frontend with
 * {@code "LoadBalancing": "least-utilization"} uses it. A jar of one's own may instead list the
 * class in {@code META-INF/services/io.ollamaflow.api.LoadBalancerProvider} for
 * {@link java.util.ServiceLoader} to find; this one does not, because the examples jar is also the
 * standalone server, whose policies must not include an example.
 */
public final class LeastUtilizationBalancer implements LoadBalancerProvider {
  public static final String NAME = "least-utilization";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public LoadBalancer newLoadBalancer(Frontend frontend) {
    AtomicInteger turn = new AtomicInteger(); // one per frontend: its own rotation for ties
    return (List<BackendView> candidates, PickContext context) -> {
      int start = Math.floorMod(turn.getAndIncrement(), candidates.size());
      BackendView best = null;
      double bestShare = Double.MAX_VALUE;
      for (int i = 0; i < candidates.size(); i++) {
        BackendView candidate = candidates.get((start + i) % candidates.size());
        double share = candidate.activeRequests() / (double) candidate.backend().maxParallelRequests();
        if (share < bestShare) {
          best = candidate;
          bestShare = share;
        }
      }
      return best;
    };
  }
}
