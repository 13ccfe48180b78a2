package io.ollamaflow.core.internal.routing;

import io.ollamaflow.api.BackendView;
import io.ollamaflow.api.LoadBalancer;
import io.ollamaflow.api.PickContext;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Power of two choices: samples two distinct candidates at random and takes the one with fewer
 * active requests. Scanning every candidate for the minimum would send a burst of concurrent picks
 * to the same idle backend, because none of them sees the others' requests yet; sampling two keeps
 * most of the benefit while spreading such bursts. Stateless, so one instance serves every
 * frontend; safe for concurrent use without locks.
 */
final class LeastRequestsLoadBalancer implements LoadBalancer {
  static final LeastRequestsLoadBalancer INSTANCE = new LeastRequestsLoadBalancer();

  private LeastRequestsLoadBalancer() {}

  @Override
  public BackendView pick(List<BackendView> candidates, PickContext context) {
    int size = candidates.size();
    if (size == 1) return candidates.get(0);
    ThreadLocalRandom random = ThreadLocalRandom.current();
    int first = random.nextInt(size);
    // Drawing from size - 1 and skipping over the first index gives a uniform second choice that is
    // never the first, without retrying.
    int second = random.nextInt(size - 1);
    if (second >= first) second++;
    BackendView a = candidates.get(first);
    BackendView b = candidates.get(second);
    return a.activeRequests() <= b.activeRequests() ? a : b;
  }
}
