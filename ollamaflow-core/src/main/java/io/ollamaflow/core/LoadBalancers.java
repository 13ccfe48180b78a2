package io.ollamaflow.core;

import io.ollamaflow.api.LoadBalancerProvider;
import io.ollamaflow.core.internal.routing.BuiltInBalancers;

/** The built-in load-balancing policies. They are always registered; these factories name them in code. */
public final class LoadBalancers {
  private LoadBalancers() {}

  /** {@code round-robin}: candidates in turn, in the frontend's Backends order, each Weight times. */
  public static LoadBalancerProvider roundRobin() {
    return BuiltInBalancers.ROUND_ROBIN;
  }

  /** {@code random}: a random candidate, in proportion to its Weight. */
  public static LoadBalancerProvider random() {
    return BuiltInBalancers.RANDOM;
  }

  /** {@code least-requests}: the candidate with the fewest requests per unit of Weight, ties in turn. */
  public static LoadBalancerProvider leastRequests() {
    return BuiltInBalancers.LEAST_REQUESTS;
  }

  /**
   * {@code model-affinity}: the candidate where the request is expected to start soonest, counting
   * the wait for a slot and the time to load the model where it is not in memory, and placing
   * unavoidable loads where they evict the least-demanded model.
   */
  public static LoadBalancerProvider modelAffinity() {
    return BuiltInBalancers.MODEL_AFFINITY;
  }
}
