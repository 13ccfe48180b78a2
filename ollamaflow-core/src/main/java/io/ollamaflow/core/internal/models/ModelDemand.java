package io.ollamaflow.core.internal.models;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How much each model is asked for lately: a count per model, halved every period so that old
 * traffic fades. Used to choose where a cold load does least harm: on the backend whose models in
 * memory are least in demand.
 *
 * <p>Threading: lock-free; request threads count, the cluster's timer decays.
 */
public final class ModelDemand {
  private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();

  public void record(String canonicalModel) {
    counts.computeIfAbsent(canonicalModel, m -> new AtomicLong()).incrementAndGet();
  }

  public long of(String canonicalModel) {
    AtomicLong count = counts.get(canonicalModel);
    return count == null ? 0 : count.get();
  }

  /** Halves every count and forgets models nobody asks for any more. */
  public void decay() {
    counts.values().forEach(c -> c.updateAndGet(n -> n / 2));
    counts.values().removeIf(c -> c.get() == 0);
  }
}
