package io.ollamaflow.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ollamaflow.api.LiveState.Session;
import io.ollamaflow.api.LiveState.SessionKey;
import io.ollamaflow.api.LiveState.WindowCount;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link LiveState} must have. An implementation's test extends this class;
 * published in the api test-jar for third-party implementations.
 */
public abstract class LiveStateContractTest {
  private static final Duration TTL = Duration.ofMinutes(30);
  private static final Duration MINUTE = Duration.ofMinutes(1);
  protected LiveState state;

  /** A new, empty state. It is closed after each test. */
  protected abstract LiveState newState() throws Exception;

  /** Lets at least {@code duration} pass on the state's clock (by hand, or by sleeping). */
  protected abstract void letTimePass(Duration duration) throws Exception;

  @BeforeEach
  void open() throws Exception {
    state = newState();
  }

  @AfterEach
  void close() {
    state.close();
  }

  private static SessionKey key(String frontend, String client) {
    return new SessionKey(frontend, client);
  }

  @Test
  void aBoundClientFindsItsBackendAndOthersFindNone() {
    state.bindSession(key("fe", "10.0.0.1"), "b1", TTL);

    assertThat(state.lookupSession(key("fe", "10.0.0.1"), TTL)).contains("b1");
    assertThat(state.lookupSession(key("fe", "10.0.0.2"), TTL)).isEmpty();
    assertThat(state.lookupSession(key("other", "10.0.0.1"), TTL)).isEmpty();
  }

  @Test
  void aBindReplacesTheClientsBackend() {
    state.bindSession(key("fe", "c"), "b1", TTL);
    state.bindSession(key("fe", "c"), "b2", TTL);

    assertThat(state.lookupSession(key("fe", "c"), TTL)).contains("b2");
    assertThat(state.sessions()).singleElement().extracting(Session::backendId).isEqualTo("b2");
  }

  @Test
  void aLookupExtendsTheSessionToNowPlusItsTtl() {
    state.bindSession(key("fe", "c"), "b1", MINUTE);
    Session bound = state.sessions().get(0);
    assertThat(Duration.between(bound.createdUtc(), bound.expiresUtc())).isEqualTo(MINUTE);

    state.lookupSession(key("fe", "c"), Duration.ofMinutes(10));

    Session extended = state.sessions().get(0);
    assertThat(extended.expiresUtc()).isAfterOrEqualTo(bound.createdUtc().plus(Duration.ofMinutes(10)));
    assertThat(extended.createdUtc()).isEqualTo(bound.createdUtc());
  }

  @Test
  void aSessionPastItsTtlIsNeitherFoundNorListed() throws Exception {
    state.bindSession(key("fe", "gone"), "b1", Duration.ofMillis(1));
    state.bindSession(key("fe", "kept"), "b1", TTL);

    letTimePass(Duration.ofMillis(50));

    assertThat(state.lookupSession(key("fe", "gone"), TTL)).isEmpty();
    assertThat(state.sessions()).extracting(Session::clientKey).containsExactly("kept");
    state.sweep();
    assertThat(state.lookupSession(key("fe", "kept"), TTL)).contains("b1");
  }

  @Test
  void sessionsAreListedByFrontendThenClientKey() {
    state.bindSession(key("fe2", "a"), "b1", TTL);
    state.bindSession(key("fe1", "b"), "b2", TTL);
    state.bindSession(key("fe1", "a"), "b1", TTL);

    assertThat(state.sessions()).extracting(s -> s.frontendId() + "/" + s.clientKey() + "->" + s.backendId())
        .containsExactly("fe1/a->b1", "fe1/b->b2", "fe2/a->b1");
  }

  @Test
  void unbindForgetAndClearEndTheSessionsTheyNameAndCountThem() {
    state.bindSession(key("fe1", "a"), "b1", TTL);
    state.bindSession(key("fe1", "b"), "b2", TTL);
    state.bindSession(key("fe2", "a"), "b1", TTL);
    state.bindSession(key("fe2", "b"), "b2", TTL);
    state.bindSession(key("fe3", "a"), "b3", TTL);

    state.unbindSession(key("fe3", "a"));
    assertThat(state.lookupSession(key("fe3", "a"), TTL)).isEmpty();
    assertThat(state.forgetBackend("b2")).isEqualTo(2);
    assertThat(state.sessions()).extracting(Session::backendId).containsOnly("b1");
    state.bindSession(key("fe2", "c"), "b3", TTL);
    assertThat(state.clearSessions(Optional.of("fe1"))).isEqualTo(1);
    assertThat(state.sessions()).extracting(Session::frontendId).containsOnly("fe2");
    assertThat(state.clearSessions(Optional.empty())).isEqualTo(2);
    assertThat(state.sessions()).isEmpty();
  }

  @Test
  void aCounterAddsWithinItsWindowAndANewWindowStartsFromZero() {
    Instant window = WindowCount.windowStart(Instant.parse("2026-12-04T10:00:30Z"), MINUTE);

    assertThat(state.addToWindow(new WindowCount("apikey:k1:requests", window, MINUTE, 1))).isEqualTo(1);
    assertThat(state.addToWindow(new WindowCount("apikey:k1:requests", window, MINUTE, 5))).isEqualTo(6);
    assertThat(state.addToWindow(new WindowCount("apikey:k1:requests", window, MINUTE, 0))).isEqualTo(6);
    assertThat(state.addToWindow(new WindowCount("apikey:k2:requests", window, MINUTE, 1))).isEqualTo(1);
    assertThat(state.addToWindow(new WindowCount("apikey:k1:requests", window.plus(MINUTE), MINUTE, 2))).isEqualTo(2);
  }

  @Test
  void severalCountersAddedInOneCallTotalAsOneCallEachWould() {
    Instant window = WindowCount.windowStart(Instant.parse("2026-12-04T10:00:30Z"), MINUTE);
    state.addToWindow(new WindowCount("apikey:k1:tokens", window, MINUTE, 40));

    long[] totals = state.addToWindows(List.of(new WindowCount("apikey:k1:tokens", window, MINUTE, 0),
        new WindowCount("apikey:k1:requests", window, MINUTE, 1),
        new WindowCount("apikey:k2:requests", window.plus(MINUTE), MINUTE, 3)));

    assertThat(totals).containsExactly(40, 1, 3);
    assertThat(state.addToWindow(new WindowCount("apikey:k1:requests", window, MINUTE, 1))).isEqualTo(2);
    assertThat(state.addToWindows(List.of())).isEmpty();
  }

  @Test
  void windowsStartingBetweenMillisecondsAreTheSameForOneAndSeveralCounters() {
    Instant window = Instant.parse("2026-12-04T10:00:00.000123Z");
    state.addToWindow(new WindowCount("c1", window, MINUTE, 5));

    long[] totals = state.addToWindows(List.of(new WindowCount("c1", window, MINUTE, 0),
        new WindowCount("c2", window, MINUTE, 1)));

    assertThat(totals).containsExactly(5, 1);
    assertThat(state.addToWindow(new WindowCount("c2", window, MINUTE, 1))).isEqualTo(2);
  }

  @Test
  void oneCallNamingACounterTwiceIsRefusedAndCountsNothing() {
    Instant window = WindowCount.windowStart(Instant.parse("2026-12-04T10:00:30Z"), MINUTE);

    assertThatThrownBy(() -> state.addToWindows(List.of(new WindowCount("c", window, MINUTE, 1),
        new WindowCount("c", window, MINUTE, 2))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("c at " + window + " appears twice");
    assertThat(state.addToWindow(new WindowCount("c", window, MINUTE, 0))).isZero();
  }

  @Test
  void concurrentAdditionsFromEightThreadsAreAllCountedAndEachSeesADistinctTotal() throws Exception {
    Instant window = WindowCount.windowStart(Instant.now(), MINUTE);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<List<Long>>> results = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        results.add(pool.submit(() -> {
          List<Long> totals = new ArrayList<>();
          for (int i = 0; i < 50; i++) totals.add(state.addToWindow(new WindowCount("c", window, MINUTE, 1)));
          return totals;
        }));
      }
      List<Long> all = new ArrayList<>();
      for (Future<List<Long>> f : results) all.addAll(f.get(60, TimeUnit.SECONDS));
      // Atomic additions: the 400 totals seen are 1..400, each once.
      assertThat(all).doesNotHaveDuplicates().hasSize(400).allMatch(total -> total >= 1 && total <= 400);
    } finally {
      pool.shutdownNow();
    }
    assertThat(state.addToWindow(new WindowCount("c", window, MINUTE, 0))).isEqualTo(400);
  }
}
