package io.ollamaflow.core.internal.routing;

import io.ollamaflow.api.BackendView;
import io.ollamaflow.api.LoadBalancer;
import io.ollamaflow.api.PickContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sends each request where it is expected to start soonest, for fleets serving several models
 * that do not all fit in memory at once. For every candidate (busy ones included) it estimates, in
 * time:
 * <ul>
 *   <li>the wait for a slot: requests ahead of this one beyond the backend's concurrency limit,
 *       times its typical service time, divided by the limit and by its {@code Weight};
 *   <li>where the model is not in memory, the backend's typical load time, plus the harm of the
 *       load: the models in memory there that no other candidate holds will have to be loaded
 *       again by the requests that want them, so a load costs up to one more load time in
 *       proportion to their share of recent demand.
 * </ul>
 * So a request goes to a backend holding the model while that is quicker than loading it; a hot
 * model spreads to another backend once its queue costs more than a load; and an unavoidable load
 * goes where it evicts the least-demanded model. Equal estimates go round in turn by weight.
 * Service and load times are measured per backend (Ollama's {@code load_duration} of cold
 * answers); until measured they are guesses (1 s and 5 s).
 */
final class ModelAffinityLoadBalancer implements LoadBalancer {
  /** Estimates closer than this are equal: spread them rather than trusting noise. */
  private static final double EQUAL_NANOS = 1_000_000;

  private final AtomicInteger ties = new AtomicInteger();

  @Override
  public boolean choosesAmongBusyBackends() {
    return true;
  }

  @Override
  public BackendView pick(List<BackendView> candidates, PickContext context) {
    List<BackendView> best = new ArrayList<>(candidates.size());
    double lowest = Double.MAX_VALUE;
    for (BackendView candidate : candidates) {
      double estimate = startEstimateNanos(candidate, candidates, context);
      if (estimate < lowest - EQUAL_NANOS) {
        best.clear();
        lowest = estimate;
      }
      if (estimate <= lowest + EQUAL_NANOS) best.add(candidate);
    }
    long total = Weights.total(best);
    return Weights.at(best, Math.floorMod(ties.getAndIncrement(), total));
  }

  private static double startEstimateNanos(BackendView candidate, List<BackendView> candidates, PickContext context) {
    int limit = candidate.concurrencyLimit();
    int load = candidate.activeRequests() + candidate.externalLoad();
    double slotWait = load < limit ? 0
        : (load - limit + 1) * (double) candidate.typicalServiceTime().toNanos() / limit / candidate.backend().weight();
    String model = context.model();
    if (model == null || candidate.hasLoaded(model)) return slotWait;
    double loadTime = candidate.typicalLoadTime().toNanos();
    return slotWait + loadTime + loadTime * evictedDemandShare(candidate, candidates, context);
  }

  /**
   * The share of recent demand, between this request's model and the models only this candidate
   * holds in memory, that belongs to the latter: what loading here may evict.
   */
  private static double evictedDemandShare(BackendView candidate, List<BackendView> candidates, PickContext context) {
    long evicted = 0;
    for (String resident : candidate.loadedModels()) {
      if (!heldElsewhere(resident, candidate, candidates)) evicted += context.demand(resident);
    }
    if (evicted == 0) return 0;
    return evicted / (double) (evicted + context.demand(context.model()) + 1);
  }

  private static boolean heldElsewhere(String model, BackendView candidate, List<BackendView> candidates) {
    for (BackendView other : candidates) {
      if (other != candidate && other.hasLoaded(model)) return true;
    }
    return false;
  }
}
