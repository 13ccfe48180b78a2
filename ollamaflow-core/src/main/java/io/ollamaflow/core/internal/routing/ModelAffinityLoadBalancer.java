package io.ollamaflow.core.internal.routing;

import io.ollamaflow.api.BackendView;
import io.ollamaflow.api.LoadBalancer;
import io.ollamaflow.api.PickContext;
import java.util.ArrayList;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sends each request where it is expected to start soonest, for fleets serving several models
 * that do not all fit in memory at once. For every candidate (busy ones included) it estimates, in
 * time:
 * <ul>
 *   <li>the wait for a slot: requests ahead of this one (in flight, queued in the proxy for this
 *       backend, or reported from elsewhere) beyond the backend's concurrency limit,
 *       times its typical service time, divided by the limit and by its {@code Weight};
 *   <li>where the model is not in memory, the backend's typical load time; and where the load must
 *       first unload a model (the backend holds as many as it was ever seen holding), the wait for
 *       the requests running there to finish, plus the harm of unloading: unless another candidate
 *       holds that model too, its next request must load it again, so the harm is one load time
 *       times that model's share of the recent demand of the two;
 *   <li>the rest of a model load under way there, which requests for that model share and any
 *       other load waits for.
 * </ul>
 * So a request goes to a backend holding the model while that is quicker than loading it; a hot
 * model spreads to another backend once its queue costs more than a load; and an unavoidable load
 * goes where it evicts the least-demanded model. Equal estimates go round in turn by weight.
 * Service and load times are measured per backend (Ollama's {@code load_duration} of cold
 * answers); a backend that has not loaded a model yet is assumed to load as fast as the
 * candidates measured, and before any was measured the guesses are 1 s and 5 s.
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
    double fleetLoadTime = fleetLoadTimeNanos(candidates);
    for (BackendView candidate : candidates) {
      double estimate = startEstimateNanos(candidate, candidates, context, fleetLoadTime);
      if (estimate < lowest - EQUAL_NANOS) {
        best.clear();
        lowest = estimate;
      }
      if (estimate <= lowest + EQUAL_NANOS) best.add(candidate);
    }
    long total = Weights.total(best);
    return Weights.at(best, Math.floorMod(ties.getAndIncrement(), total));
  }

  /**
   * The average load time measured on the candidates, for those where none was measured yet (a
   * backend that never loaded a model here is probably no slower than its peers); NaN when none was.
   */
  private static double fleetLoadTimeNanos(List<BackendView> candidates) {
    double sum = 0;
    int measured = 0;
    for (BackendView candidate : candidates) {
      Optional<Duration> time = candidate.measuredLoadTime();
      if (time.isPresent()) {
        sum += time.get().toNanos();
        measured++;
      }
    }
    return measured == 0 ? Double.NaN : sum / measured;
  }

  private static double startEstimateNanos(BackendView candidate, List<BackendView> candidates, PickContext context,
      double fleetLoadTime) {
    int limit = candidate.concurrencyLimit();
    int load = candidate.activeRequests() + candidate.queuedRequests() + candidate.externalLoad();
    double serviceTime = candidate.typicalServiceTime().toNanos();
    double slotWait = load < limit ? 0 : (load - limit + 1) * serviceTime / limit / candidate.backend().weight();
    // A load under way there delays its own followers and any other load alike.
    double loading = candidate.loadingFor().toNanos();
    String model = context.model();
    if (model == null || candidate.hasLoaded(model)) return slotWait + loading;
    double loadTime = candidate.measuredLoadTime().map(t -> (double) t.toNanos())
        .orElse(Double.isNaN(fleetLoadTime) ? candidate.typicalLoadTime().toNanos() : fleetLoadTime);
    Optional<String> evicted = candidate.evictedByLoad();
    if (evicted.isEmpty()) return slotWait + loading + loadTime;
    // The model in memory unloads once the requests running on it are done.
    double drain = load > 0 ? serviceTime : 0;
    double harm = heldElsewhere(evicted.get(), candidate, candidates) ? 0
        : loadTime * evictedShare(context.demand(evicted.get()), context.demand(model));
    return slotWait + loading + drain + loadTime + harm;
  }

  /** The unloaded model's share of the demand of the two: how likely its next request comes before this one's. */
  private static double evictedShare(long evictedDemand, long demand) {
    return evictedDemand / (double) (evictedDemand + demand + 1);
  }

  private static boolean heldElsewhere(String model, BackendView candidate, List<BackendView> candidates) {
    for (BackendView other : candidates) {
      if (other != candidate && other.hasLoaded(model)) return true;
    }
    return false;
  }
}
