package io.ollamaflow.api;

import java.time.Instant;
import java.util.Objects;

/** An immutable snapshot of one backend's health: state, when it was entered, and the last failure seen. */
public final class HealthStatus {
  private static final HealthStatus UNKNOWN = new HealthStatus(HealthState.UNKNOWN, null, null);

  private final HealthState state;
  private final Instant since;
  private final String lastError;

  private HealthStatus(HealthState state, Instant since, String lastError) {
    this.state = state;
    this.since = since;
    this.lastError = lastError;
  }

  /** The status of a backend that has not been probed yet. */
  public static HealthStatus unknown() {
    return UNKNOWN;
  }

  public static HealthStatus of(HealthState state, Instant since, String lastError) {
    return new HealthStatus(Objects.requireNonNull(state, "state"), since, lastError);
  }

  public HealthState state() { return state; }
  /** When the current state was entered; null while {@link HealthState#UNKNOWN}. */
  public Instant since() { return since; }
  /** The reason of the last failed observation; null if none. */
  public String lastError() { return lastError; }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof HealthStatus)) return false;
    HealthStatus h = (HealthStatus) o;
    return state == h.state && Objects.equals(since, h.since) && Objects.equals(lastError, h.lastError);
  }

  @Override
  public int hashCode() {
    return Objects.hash(state, since, lastError);
  }

  @Override
  public String toString() {
    return state + (since != null ? " since " + since : "") + (lastError != null ? " (" + lastError + ")" : "");
  }
}
