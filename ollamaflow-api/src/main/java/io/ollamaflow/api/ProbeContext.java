package io.ollamaflow.api;

import java.time.Duration;

/** What a {@link HealthProbe} is asked to check, and how long it may take. */
public interface ProbeContext {
  Backend backend();

  /** The probe must answer within this time; a probe still waiting then should report unhealthy. */
  Duration timeout();
}
