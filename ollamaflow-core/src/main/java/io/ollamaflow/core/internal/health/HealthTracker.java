package io.ollamaflow.core.internal.health;

import io.ollamaflow.api.Backend;
import io.ollamaflow.api.HealthState;
import io.ollamaflow.api.HealthStatus;
import java.time.Instant;

/**
 * One backend's health state machine: observations in, transitions out. A backend becomes
 * healthy after {@link Backend#healthyThreshold()} consecutive successful probes and unhealthy
 * after {@link Backend#unhealthyThreshold()} consecutive failures, probed or seen on live traffic.
 * Live traffic never makes a backend healthy: only probes bring an ejected backend back.
 *
 * <p>Threading: {@link #observe} and {@link #clearFailures} are called only on the cluster's update
 * thread; {@link #status()} and {@link #hasFailures()} may be read from any thread.
 */
public final class HealthTracker {
  private volatile HealthStatus status = HealthStatus.unknown();
  private volatile int failures;
  private int successes;

  public HealthStatus status() {
    return status;
  }

  /** True while failures are counting towards the unhealthy threshold. */
  public boolean hasFailures() {
    return failures > 0;
  }

  /**
   * Applies one observation.
   *
   * @param mayEject false to record a failure without leaving rotation (the last routable backend
   *     of a frontend is not ejected on live-traffic evidence alone)
   * @return the previous status when the state changed, else null
   */
  public HealthStatus observe(boolean success, String reason, Backend config, Instant now, boolean mayEject) {
    HealthStatus previous = status;
    if (success) {
      failures = 0;
      successes++;
      if (previous.state() != HealthState.HEALTHY && successes >= config.healthyThreshold()) {
        status = HealthStatus.of(HealthState.HEALTHY, now, previous.lastError());
        return previous;
      }
      return null;
    }
    successes = 0;
    failures++;
    boolean eject = mayEject && previous.state() != HealthState.UNHEALTHY && failures >= config.unhealthyThreshold();
    HealthState state = eject ? HealthState.UNHEALTHY : previous.state();
    status = HealthStatus.of(state, eject ? now : previous.since(), reason);
    return eject ? previous : null;
  }

  /** A request succeeded: earlier scattered failures no longer count towards ejection. */
  public void clearFailures() {
    failures = 0;
  }
}
