package io.ollamaflow.core;

import io.ollamaflow.api.LiveState;
import io.ollamaflow.api.LiveStateContractTest;
import io.ollamaflow.core.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;

class InMemoryLiveStateTest extends LiveStateContractTest {
  private final ManualClock clock = new ManualClock(Instant.parse("2026-12-04T10:00:00Z"));

  @Override
  protected LiveState newState() {
    return new InMemoryLiveState(clock, FlowCluster.DEFAULT_MAX_STICKY_SESSIONS, FlowCluster.DEFAULT_MAX_STICKY_KEY_LENGTH);
  }

  @Override
  protected void letTimePass(Duration duration) {
    clock.advance(duration);
  }
}
