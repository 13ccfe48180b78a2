package io.ollamaflow.core;

import io.ollamaflow.api.LiveState;
import io.ollamaflow.core.internal.routing.StickySessions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The default {@link LiveState}: exact within one process, nothing shared, nothing kept across a
 * restart. Thread-safe, never blocks, never fails. Sessions are dated by its clock and bounded
 * (see {@link FlowCluster.Builder#stickySessionLimits}): past {@code maxSessions} the least
 * recently used tenth is evicted and counted ({@link #evictions()}). Keeps one window per
 * counter; counters are bounded by configuration (keys, backends), and windows long past are
 * dropped as the map grows and by {@link #sweep()}.
 *
 * <p>A cluster given a shared {@code LiveState} also keeps one of these as its local fallback.
 */
public final class InMemoryLiveState implements LiveState {
  private static final int SWEEP_ABOVE = 10_000;

  private final Clock clock;
  private final StickySessions sticky;
  private final Map<String, Window> windows = new ConcurrentHashMap<>();

  private record Window(Instant start, Instant end, long total) {}

  /** On the system clock, with the default bounds on sessions. */
  public InMemoryLiveState() {
    this(Clock.systemUTC(), FlowCluster.DEFAULT_MAX_STICKY_SESSIONS, FlowCluster.DEFAULT_MAX_STICKY_KEY_LENGTH);
  }

  /**
   * @param clock dates sessions; tests pass one they move by hand
   * @param maxSessions sessions kept before the least recently used are evicted; at least 1
   * @param maxKeyLength client keys longer than this are kept as their SHA-256; at least 71
   */
  public InMemoryLiveState(Clock clock, int maxSessions, int maxKeyLength) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.sticky = new StickySessions(clock, maxSessions, maxKeyLength);
  }

  @Override
  public Optional<String> lookupSession(SessionKey key, Duration ttl) {
    return Optional.ofNullable(sticky.lookup(key.frontendId(), key.clientKey(), ttl));
  }

  @Override
  public void bindSession(SessionKey key, String backendId, Duration ttl) {
    sticky.bind(key.frontendId(), key.clientKey(), backendId, ttl);
  }

  @Override
  public void unbindSession(SessionKey key) {
    sticky.unbind(key.frontendId(), key.clientKey());
  }

  @Override
  public int forgetBackend(String backendId) {
    return sticky.forgetBackend(backendId);
  }

  @Override
  public int clearSessions(Optional<String> frontendId) {
    return sticky.clear(frontendId.orElse(null));
  }

  @Override
  public List<Session> sessions() {
    return sticky.sessions();
  }

  /** Sessions evicted since start because the cap was reached. */
  public long evictions() {
    return sticky.evictions();
  }

  @Override
  public long addToWindow(WindowCount count) {
    Instant end = count.windowStart().plus(count.window());
    Window after = windows.compute(count.counter(), (counter, current) ->
        current == null || !current.start().equals(count.windowStart())
            ? new Window(count.windowStart(), end, count.amount())
            : new Window(current.start(), end, current.total() + count.amount()));
    if (windows.size() > SWEEP_ABOVE) dropEndedBefore(count.windowStart());
    return after.total();
  }

  private void dropEndedBefore(Instant instant) {
    windows.values().removeIf(w -> w.end().isBefore(instant));
  }

  @Override
  public void sweep() {
    sticky.sweep();
    dropEndedBefore(clock.instant());
  }

  @Override
  public void close() {}
}
