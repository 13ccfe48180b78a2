package io.ollamaflow.api;

import java.util.List;

/**
 * Chooses one backend among candidates that core has already filtered: active, healthy, allowed
 * to serve this kind of request and speaking a usable API format. Stickiness is applied before
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
}
