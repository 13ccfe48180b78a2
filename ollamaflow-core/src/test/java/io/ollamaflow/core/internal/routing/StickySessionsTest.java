package io.ollamaflow.core.internal.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ollamaflow.api.LiveState.Session;
import io.ollamaflow.core.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class StickySessionsTest {
  private static final Instant START = Instant.parse("2025-06-01T12:00:00Z");
  private static final Duration TTL = Duration.ofMinutes(30);

  private final ManualClock clock = new ManualClock(START);
  private final StickySessions sessions = new StickySessions(clock);

  @Test
  void boundBackendIsFound() {
    sessions.bind("fe", "10.0.0.1", "b1", TTL);

    assertThat(sessions.lookup("fe", "10.0.0.1", TTL)).isEqualTo("b1");
    assertThat(sessions.sessions()).containsExactly(
        new Session("fe", "10.0.0.1", "b1", START, START.plus(TTL), START));
  }

  @Test
  void unknownClientHasNoBackend() {
    sessions.bind("fe", "10.0.0.1", "b1", TTL);

    assertThat(sessions.lookup("fe", "10.0.0.2", TTL)).isNull();
  }

  @Test
  void bindReplacesTheBackendOfAnExistingSession() {
    sessions.bind("fe", "10.0.0.1", "b1", TTL);
    clock.advance(Duration.ofMinutes(1));
    sessions.bind("fe", "10.0.0.1", "b2", TTL);

    assertThat(sessions.lookup("fe", "10.0.0.1", TTL)).isEqualTo("b2");
    assertThat(sessions.sessions()).singleElement()
        .satisfies(s -> assertThat(s.createdUtc()).isEqualTo(START.plus(Duration.ofMinutes(1))));
  }

  @Test
  void sessionExpiresOnceTheTtlHasPassed() {
    sessions.bind("fe", "10.0.0.1", "b1", TTL);

    clock.advance(TTL.minusMillis(1));
    assertThat(sessions.sessions()).hasSize(1);
    clock.advance(Duration.ofMillis(1));

    assertThat(sessions.sessions()).isEmpty();
    assertThat(sessions.lookup("fe", "10.0.0.1", TTL)).isNull();
    // The expired lookup removed the entry, so there is nothing left for the sweeper.
    assertThat(sessions.sweep()).isZero();
  }

  @Test
  void lookupSlidesTheExpiryForward() {
    sessions.bind("fe", "10.0.0.1", "b1", TTL);

    for (int i = 0; i < 5; i++) {
      clock.advance(Duration.ofMinutes(20));
      assertThat(sessions.lookup("fe", "10.0.0.1", TTL)).as("lookup %d", i).isEqualTo("b1");
    }

    Instant now = START.plus(Duration.ofMinutes(100));
    assertThat(sessions.sessions()).containsExactly(
        new Session("fe", "10.0.0.1", "b1", START, now.plus(TTL), now));
    clock.advance(TTL);
    assertThat(sessions.lookup("fe", "10.0.0.1", TTL)).isNull();
  }

  @Test
  void sweepRemovesOnlyExpiredSessions() {
    sessions.bind("fe", "short-1", "b1", Duration.ofMinutes(1));
    sessions.bind("fe", "short-2", "b2", Duration.ofMinutes(1));
    sessions.bind("fe", "long", "b1", Duration.ofMinutes(10));

    clock.advance(Duration.ofMinutes(5));

    assertThat(sessions.sweep()).isEqualTo(2);
    assertThat(sessions.sessions()).extracting(Session::clientKey).containsExactly("long");
    assertThat(sessions.sweep()).isZero();
  }

  @Test
  void unbindRemovesOnlyThatSession() {
    sessions.bind("fe", "10.0.0.1", "b1", TTL);
    sessions.bind("fe", "10.0.0.2", "b1", TTL);

    sessions.unbind("fe", "10.0.0.1");

    assertThat(sessions.lookup("fe", "10.0.0.1", TTL)).isNull();
    assertThat(sessions.lookup("fe", "10.0.0.2", TTL)).isEqualTo("b1");
  }

  @Test
  void forgetBackendRemovesEverySessionBoundToIt() {
    sessions.bind("fe1", "c1", "b1", TTL);
    sessions.bind("fe2", "c2", "b1", TTL);
    sessions.bind("fe1", "c3", "b2", TTL);

    assertThat(sessions.forgetBackend("b1")).isEqualTo(2);

    assertThat(sessions.sessions()).extracting(Session::backendId).containsExactly("b2");
    assertThat(sessions.forgetBackend("b1")).isZero();
  }

  @Test
  void forgetFrontendRemovesEverySessionOfIt() {
    sessions.bind("fe1", "c1", "b1", TTL);
    sessions.bind("fe1", "c2", "b2", TTL);
    sessions.bind("fe2", "c1", "b1", TTL);

    assertThat(sessions.forgetFrontend("fe1")).isEqualTo(2);

    assertThat(sessions.sessions()).extracting(Session::frontendId).containsExactly("fe2");
  }

  @Test
  void clearRemovesOneFrontendOrAll() {
    sessions.bind("fe1", "c1", "b1", TTL);
    sessions.bind("fe2", "c1", "b1", TTL);
    sessions.bind("fe2", "c2", "b1", TTL);

    assertThat(sessions.clear("fe1")).isEqualTo(1);
    assertThat(sessions.clear(null)).isEqualTo(2);
    assertThat(sessions.sessions()).isEmpty();
  }

  @Test
  void sameClientKeyOnDifferentFrontendsHasIndependentSessions() {
    sessions.bind("fe1", "10.0.0.1", "b1", TTL);
    sessions.bind("fe2", "10.0.0.1", "b2", Duration.ofMinutes(1));

    assertThat(sessions.lookup("fe1", "10.0.0.1", TTL)).isEqualTo("b1");
    assertThat(sessions.lookup("fe2", "10.0.0.1", TTL)).isEqualTo("b2");

    sessions.unbind("fe1", "10.0.0.1");
    assertThat(sessions.lookup("fe2", "10.0.0.1", TTL)).isEqualTo("b2");
    clock.advance(Duration.ofMinutes(31));
    sessions.bind("fe1", "10.0.0.1", "b3", TTL);
    assertThat(sessions.lookup("fe2", "10.0.0.1", TTL)).isNull();
    assertThat(sessions.lookup("fe1", "10.0.0.1", TTL)).isEqualTo("b3");
  }

  @Test
  void sessionsAreListedByFrontendThenClientKey() {
    sessions.bind("fe2", "a", "b1", TTL);
    sessions.bind("fe1", "b", "b1", TTL);
    sessions.bind("fe1", "a", "b1", TTL);

    assertThat(sessions.sessions()).extracting(s -> s.frontendId() + "/" + s.clientKey())
        .containsExactly("fe1/a", "fe1/b", "fe2/a");
  }

  @Test
  void rejectsATtlThatIsNotPositive() {
    assertThatThrownBy(() -> sessions.bind("fe", "c", "b1", Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("ttl: PT0S (expected: > 0)");
    assertThatThrownBy(() -> sessions.lookup("fe", "c", Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("ttl: PT-1S (expected: > 0)");
  }

  @Test
  void pastTheCapTheLeastRecentlyUsedTenthIsEvictedAndCounted() {
    StickySessions capped = new StickySessions(clock, 10, StickySessions.DEFAULT_MAX_KEY_LENGTH);
    for (int i = 0; i < 10; i++) {
      capped.bind("fe", "c" + i, "b1", TTL);
      clock.advance(Duration.ofSeconds(1));
    }
    capped.lookup("fe", "c0", TTL); // c0 is now the most recently used

    capped.bind("fe", "c10", "b1", TTL);

    // 11 sessions, brought down to 9: the two least recently used (c1, c2) went.
    assertThat(capped.sessions()).extracting(Session::clientKey)
        .containsExactlyInAnyOrder("c0", "c3", "c4", "c5", "c6", "c7", "c8", "c9", "c10");
    assertThat(capped.evictions()).isEqualTo(2);
    capped.bind("fe", "c0", "b2", TTL); // a rebind adds no session and evicts nothing
    assertThat(capped.evictions()).isEqualTo(2);
  }

  @Test
  void aKeyLongerThanTheBoundIsKeptAsItsSha256AndStillFindsItsBackend() {
    String longKey = "k".repeat(16 * 1024);
    sessions.bind("fe", longKey, "b1", TTL);

    assertThat(sessions.lookup("fe", longKey, TTL)).isEqualTo("b1");
    assertThat(sessions.lookup("fe", longKey + "x", TTL)).isNull();
    assertThat(sessions.sessions()).singleElement().extracting(Session::clientKey).asString()
        .matches("sha256:[0-9a-f]{64}");
    String bound = "k".repeat(StickySessions.DEFAULT_MAX_KEY_LENGTH);
    sessions.bind("fe", bound, "b2", TTL);
    assertThat(sessions.sessions()).extracting(Session::clientKey).contains(bound);
  }

  @Test
  void limitsOutOfRangeAreRefusedNamingTheLimit() {
    assertThatThrownBy(() -> new StickySessions(clock, 0, 256)).hasMessage("maxSessions: 0 (expected: >= 1)");
    assertThatThrownBy(() -> new StickySessions(clock, 10, 70)).hasMessage("maxKeyLength: 70 (expected: >= 71)");
  }

  @Test
  void concurrentBindsAndLookupsFromEightThreadsKeepTheMapConsistent() throws Exception {
    int threads = 8;
    int keysPerThread = 50;
    int rounds = 200;
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        futures.add(pool.submit(() -> {
          start.await();
          for (int round = 0; round < rounds; round++) {
            for (int k = 0; k < keysPerThread; k++) {
              // Keys this thread owns: it must always read back what it bound last.
              String own = "t" + thread + "-c" + k;
              String backend = "b" + ((round + k) % 4);
              sessions.bind("fe", own, backend, TTL);
              assertThat(sessions.lookup("fe", own, TTL)).isEqualTo(backend);
              // Keys every thread fights over: any bound backend, never a torn or foreign value.
              String shared = "shared-c" + k;
              sessions.bind("fe", shared, "t" + thread, TTL);
              assertThat(sessions.lookup("fe", shared, TTL)).startsWith("t");
            }
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : futures) f.get(60, TimeUnit.SECONDS);
    } finally {
      pool.shutdownNow();
    }

    List<Session> all = sessions.sessions();
    assertThat(all).hasSize(threads * keysPerThread + keysPerThread);
    assertThat(all).extracting(Session::frontendId).containsOnly("fe");
    assertThat(all).filteredOn(s -> s.clientKey().startsWith("shared"))
        .extracting(Session::backendId).isSubsetOf(Set.of("t0", "t1", "t2", "t3", "t4", "t5", "t6", "t7"));
    for (int t = 0; t < threads; t++) {
      for (int k = 0; k < keysPerThread; k++) {
        assertThat(sessions.lookup("fe", "t" + t + "-c" + k, TTL)).isEqualTo("b" + ((rounds - 1 + k) % 4));
      }
    }
    assertThat(sessions.clear(null)).isEqualTo(all.size());
  }
}
