package io.ollamaflow.api;

import java.util.List;

/**
 * Chooses one backend among candidates that core has already filtered: active, healthy, allowed
 * to serve this kind of request, speaking a usable API format, holding the requested model (when
 * models are known) and, unless {@link #choosesAmongBusyBackends()} says otherwise, with a free
 * slot ({@link BackendView#hasFreeSlot()}). Sticky sessions and blob affinity are applied before
 * the balancer is asked.
 *
 * <p>Threading: one instance per frontend (see {@link LoadBalancerProvider}), called by request
 * threads concurrently. Must not block and must be thread-safe; it may keep its own atomic
 * counters but must not hold locks or do I/O. Core checks that the result is one of the
 * candidates and refuses the request with a 500 otherwise.
 */
@FunctionalInterface
public interface LoadBalancer {
  /**
   * @param candidates non-empty, in the frontend's {@code Backends} order; never modify it
   * @return one element of {@code candidates}
   */
  BackendView pick(List<BackendView> candidates, PickContext context);

  /**
   * False (the default): the candidates are only backends with a free slot, and when none has one
   * the request waits in the proxy for the first slot to free on any of them. True: the candidates
   * include busy backends too, and choosing a busy one makes the request wait for that backend's
   * next free slot; a policy that weighs waiting for a warm backend against loading the model
   * elsewhere needs this.
   */
  default boolean choosesAmongBusyBackends() {
    return false;
  }
}
