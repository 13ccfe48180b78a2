package io.ollamaflow.api;

import java.util.Objects;

/** One observation of a backend by a {@link HealthProbe}. */
public final class ProbeResult {
  private static final ProbeResult HEALTHY = new ProbeResult(true, null);

  private final boolean healthy;
  private final String reason;

  private ProbeResult(boolean healthy, String reason) {
    this.healthy = healthy;
    this.reason = reason;
  }

  public static ProbeResult healthy() {
    return HEALTHY;
  }

  /** @param reason what failed, e.g. {@code "GET / answered 500"}; shown in the admin health view */
  public static ProbeResult unhealthy(String reason) {
    return new ProbeResult(false, Objects.requireNonNull(reason, "reason"));
  }

  public boolean isHealthy() {
    return healthy;
  }

  /** Why the probe failed; null when healthy. */
  public String reason() {
    return reason;
  }

  @Override
  public String toString() {
    return healthy ? "healthy" : "unhealthy: " + reason;
  }
}
