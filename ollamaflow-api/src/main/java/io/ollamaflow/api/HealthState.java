package io.ollamaflow.api;

/** Where a backend stands in the health state machine. */
public enum HealthState {
  /** Not yet probed often enough to say; routable, so a new backend serves at once. */
  UNKNOWN,
  HEALTHY,
  UNHEALTHY;

  /** True when requests may be sent to a backend in this state. */
  public boolean routable() {
    return this != UNHEALTHY;
  }
}
