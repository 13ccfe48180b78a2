package io.ollamaflow.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.ollamaflow.api.LiveState.WindowCount;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class InMemoryLiveStateTest {
  private static final Duration MINUTE = Duration.ofMinutes(1);
  private final InMemoryLiveState state = new InMemoryLiveState();

  @Test
  void addsWithinAWindowAndStartsANewWindowFromZero() {
    Instant now = Instant.parse("2026-12-04T10:00:30Z");
    Instant window = WindowCount.windowStart(now, MINUTE);

    assertThat(window).isEqualTo(Instant.parse("2026-12-04T10:00:00Z"));
    assertThat(state.addToWindow(new WindowCount("c", window, MINUTE, 1))).isEqualTo(1);
    assertThat(state.addToWindow(new WindowCount("c", window, MINUTE, 5))).isEqualTo(6);
    assertThat(state.addToWindow(new WindowCount("c", window, MINUTE, 0))).isEqualTo(6);
    assertThat(state.addToWindow(new WindowCount("c", window.plus(MINUTE), MINUTE, 2))).isEqualTo(2);
  }

  @Test
  void keepsCountersApart() {
    Instant window = Instant.parse("2026-12-04T10:00:00Z");
    state.addToWindow(new WindowCount("a", window, MINUTE, 3));

    assertThat(state.addToWindow(new WindowCount("b", window, MINUTE, 1))).isEqualTo(1);
  }
}
