package io.ollamaflow.core.internal.health;

import io.ollamaflow.api.Backend;
import io.ollamaflow.api.HealthProbe;
import io.ollamaflow.api.ProbeContext;
import io.ollamaflow.api.ProbeResult;
import java.time.Duration;

/** Runs a {@link HealthProbe} so that whatever it does, the cluster gets one observation. */
public final class Probes {
  private Probes() {}

  /** The probe's result; a probe that throws or returns nothing counts as unhealthy. */
  public static ProbeResult run(HealthProbe probe, Backend backend, Duration timeout) {
    try {
      ProbeResult result = probe.probe(new Context(backend, timeout));
      return result != null ? result : ProbeResult.unhealthy("health probe returned no result");
    } catch (RuntimeException e) {
      return ProbeResult.unhealthy("health probe failed: " + e);
    }
  }

  private static final class Context implements ProbeContext {
    private final Backend backend;
    private final Duration timeout;

    Context(Backend backend, Duration timeout) {
      this.backend = backend;
      this.timeout = timeout;
    }

    @Override
    public Backend backend() {
      return backend;
    }

    @Override
    public Duration timeout() {
      return timeout;
    }
  }
}
