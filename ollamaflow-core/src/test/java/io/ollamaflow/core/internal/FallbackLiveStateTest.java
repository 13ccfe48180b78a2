package io.ollamaflow.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ollamaflow.api.LiveState.SessionKey;
import io.ollamaflow.api.LiveState.WindowCount;
import io.ollamaflow.api.StoreUnavailableException;
import io.ollamaflow.core.FlowCluster;
import io.ollamaflow.core.InMemoryLiveState;
import io.ollamaflow.core.testing.ManualClock;
import io.ollamaflow.core.testing.SwitchableLiveState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class FallbackLiveStateTest {
  private static final Duration TTL = Duration.ofMinutes(30);
  private static final Duration MINUTE = Duration.ofMinutes(1);
  private static final Duration RETRY = Duration.ofSeconds(1);
  private static final SessionKey CLIENT = new SessionKey("fe", "client-1");

  private final ManualClock clock = new ManualClock(Instant.parse("2026-12-04T10:00:00Z"));
  private final AtomicLong nanos = new AtomicLong();
  private final SwitchableLiveState shared = new SwitchableLiveState(memory());
  private final FallbackLiveState state = new FallbackLiveState(shared, memory(), nanos::get, RETRY);

  private InMemoryLiveState memory() {
    return new InMemoryLiveState(clock, FlowCluster.DEFAULT_MAX_STICKY_SESSIONS, FlowCluster.DEFAULT_MAX_STICKY_KEY_LENGTH);
  }

  @Test
  void whileTheSharedStateAnswersItDecidesAndNothingFallsBack() {
    shared.delegate.bindSession(CLIENT, "b-from-another-instance", TTL);

    assertThat(state.lookupSession(CLIENT, TTL)).contains("b-from-another-instance");
    state.bindSession(new SessionKey("fe", "client-2"), "b2", TTL);
    assertThat(shared.delegate.lookupSession(new SessionKey("fe", "client-2"), TTL)).contains("b2");
    assertThat(state.fallbacks()).isZero();
  }

  @Test
  void whenTheSharedStateFailsSessionsSeenBeforeAreDecidedLocallyAndCounted() {
    shared.delegate.bindSession(CLIENT, "b1", TTL);
    assertThat(state.lookupSession(CLIENT, TTL)).contains("b1"); // learnt from the shared state
    state.bindSession(new SessionKey("fe", "client-2"), "b2", TTL);

    shared.down = true;

    assertThat(state.lookupSession(CLIENT, TTL)).contains("b1");
    assertThat(state.lookupSession(new SessionKey("fe", "client-2"), TTL)).contains("b2");
    state.bindSession(new SessionKey("fe", "client-3"), "b3", TTL);
    assertThat(state.lookupSession(new SessionKey("fe", "client-3"), TTL)).contains("b3");
    assertThat(state.fallbacks()).isEqualTo(4);
  }

  @Test
  void afterAFailureTheSharedStateIsLeftAloneForTheRetryIntervalThenTriedByOneCall() {
    shared.down = true;
    state.lookupSession(CLIENT, TTL);
    int callsAfterFailure = shared.calls.get();

    for (int i = 0; i < 100; i++) state.lookupSession(CLIENT, TTL);
    nanos.addAndGet(RETRY.toNanos() - 1);
    state.lookupSession(CLIENT, TTL);
    assertThat(shared.calls.get()).as("no call reached the failed state within the interval").isEqualTo(callsAfterFailure);

    nanos.addAndGet(1);
    state.lookupSession(CLIENT, TTL);
    state.lookupSession(CLIENT, TTL);
    assertThat(shared.calls.get()).as("one retry once the interval passed").isEqualTo(callsAfterFailure + 1);
    assertThat(state.fallbacks()).isEqualTo(104);
  }

  @Test
  void onceTheSharedStateAnswersAgainItDecidesAgain() {
    shared.down = true;
    state.bindSession(CLIENT, "local-choice", TTL);
    shared.down = false;
    shared.delegate.bindSession(CLIENT, "shared-choice", TTL);

    nanos.addAndGet(RETRY.toNanos());
    assertThat(state.lookupSession(CLIENT, TTL)).contains("shared-choice");
    assertThat(state.lookupSession(CLIENT, TTL)).contains("shared-choice");
    assertThat(state.fallbacks()).isEqualTo(1);
  }

  @Test
  void countersFallBackToThisInstancesOwnShareOfTheWindow() {
    Instant window = WindowCount.windowStart(clock.instant(), MINUTE);
    shared.delegate.addToWindow(new WindowCount("apikey:k:requests", window, MINUTE, 10)); // other instances
    assertThat(state.addToWindow(new WindowCount("apikey:k:requests", window, MINUTE, 1))).isEqualTo(11);
    assertThat(state.addToWindow(new WindowCount("apikey:k:requests", window, MINUTE, 1))).isEqualTo(12);

    shared.down = true;

    assertThat(state.addToWindow(new WindowCount("apikey:k:requests", window, MINUTE, 1))).isEqualTo(3);
  }

  @Test
  void severalCountersAreOneCallToTheSharedStateAndOneDecisionWhenItFails() {
    Instant window = WindowCount.windowStart(clock.instant(), MINUTE);
    List<WindowCount> both = List.of(new WindowCount("apikey:k:tokens", window, MINUTE, 0),
        new WindowCount("apikey:k:requests", window, MINUTE, 1));
    shared.delegate.addToWindow(new WindowCount("apikey:k:tokens", window, MINUTE, 500)); // other instances

    assertThat(state.addToWindows(both)).containsExactly(500, 1);
    assertThat(shared.counterCalls).hasValue(1);

    shared.down = true;

    assertThat(state.addToWindows(both)).as("this instance's own share").containsExactly(0, 2);
    assertThat(shared.counterCalls).hasValue(2);
    assertThat(state.fallbacks()).isEqualTo(1);
  }

  @Test
  void adminListingAndClearingNeedTheSharedStateAndSayItIsUnavailable() {
    shared.down = true;

    assertThatThrownBy(state::sessions).isInstanceOf(StoreUnavailableException.class)
        .hasMessageContaining("test database is down");
    assertThatThrownBy(() -> state.clearSessions(Optional.empty())).isInstanceOf(StoreUnavailableException.class);
  }
}
