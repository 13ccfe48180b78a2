package io.ollamaflow.core;

import io.ollamaflow.api.LoadBalancerProvider;
import io.ollamaflow.core.internal.routing.BuiltInBalancers;

/** The built-in load-balancing policies. They are always registered; these factories name them in code. */
public final class LoadBalancers {
  private LoadBalancers() {}

  /** {@code round-robin}: candidates in turn, in the frontend's Backends order. */
  public static LoadBalancerProvider roundRobin() {
    return BuiltInBalancers.ROUND_ROBIN;
  }

  /** {@code random}: a uniformly random candidate. */
  public static LoadBalancerProvider random() {
    return BuiltInBalancers.RANDOM;
  }

  /** {@code least-requests}: of two random candidates, the one with fewer requests in flight. */
  public static LoadBalancerProvider leastRequests() {
    return BuiltInBalancers.LEAST_REQUESTS;
  }
}
