package io.ollamaflow.core.internal;

import io.ollamaflow.api.LiveState;
import io.ollamaflow.api.StoreUnavailableException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A shared {@link LiveState} (e.g. on PostgreSQL) with this instance's in-memory state beside it.
 * Request-path decisions (session lookup and bind, counter additions) go to the shared state and,
 * when it fails, are made on the local one: routing never waits on a database that is down. The
 * local state mirrors what this instance binds, adds and learns from the shared state, so during
 * an outage its clients keep the backends they had here and its counters start from its own share
 * of the window. After a failure the shared state is left alone for {@link #RETRY_INTERVAL}; then
 * one call tries it again, so an outage costs one request per interval the shared state's own
 * timeout, and everything else goes local at once. Each decision made locally because of the
 * shared state is counted; an outage is logged once when it starts and once when it ends.
 *
 * <p>Admin operations (list and clear sessions) go to the shared state whatever its condition and
 * throw {@link StoreUnavailableException} when it fails: the local list is not the cluster's.
 *
 * <p>Threading: as thread-safe as the two states; no locks of its own. The shared state is the
 * host's: {@link #close()} leaves it open.
 */
public final class FallbackLiveState implements LiveState {
  private static final Logger log = LoggerFactory.getLogger(FallbackLiveState.class);
  public static final Duration RETRY_INTERVAL = Duration.ofSeconds(1);

  private final LiveState shared;
  private final LiveState local;
  private final LongSupplier nanos;
  private final long retryNanos;
  private final AtomicBoolean down = new AtomicBoolean();
  private final AtomicLong retryAt = new AtomicLong();
  private final AtomicLong fallbacks = new AtomicLong();

  public FallbackLiveState(LiveState shared, LiveState local) {
    this(shared, local, System::nanoTime, RETRY_INTERVAL);
  }

  /** @param nanos monotonic time, for the retry interval; tests pass one they move by hand */
  FallbackLiveState(LiveState shared, LiveState local, LongSupplier nanos, Duration retryInterval) {
    this.shared = shared;
    this.local = local;
    this.nanos = nanos;
    this.retryNanos = retryInterval.toNanos();
  }

  /** Decisions made on the local state because the shared one failed or was being left alone. */
  public long fallbacks() {
    return fallbacks.get();
  }

  @Override
  public Optional<String> lookupSession(SessionKey key, Duration ttl) {
    Optional<String> bound = decide(() -> shared.lookupSession(key, ttl));
    if (bound == null) return local.lookupSession(key, ttl);
    bound.ifPresent(backend -> local.bindSession(key, backend, ttl));
    return bound;
  }

  @Override
  public void bindSession(SessionKey key, String backendId, Duration ttl) {
    local.bindSession(key, backendId, ttl);
    decide(() -> {
      shared.bindSession(key, backendId, ttl);
      return true;
    });
  }

  @Override
  public long addToWindow(WindowCount count) {
    long localTotal = local.addToWindow(count);
    Long sharedTotal = decide(() -> shared.addToWindow(count));
    return sharedTotal == null ? localTotal : sharedTotal;
  }

  /** One decision: one call to the shared state, one fallback counted when it is made locally. */
  @Override
  public long[] addToWindows(List<WindowCount> counts) {
    long[] localTotals = local.addToWindows(counts);
    long[] sharedTotals = decide(() -> shared.addToWindows(counts));
    return sharedTotals == null ? localTotals : sharedTotals;
  }

  @Override
  public void unbindSession(SessionKey key) {
    local.unbindSession(key);
    decide(() -> {
      shared.unbindSession(key);
      return true;
    });
  }

  /** Sessions of a deleted backend left in the shared state during an outage only expire: no instance routes to it. */
  @Override
  public int forgetBackend(String backendId) {
    int forgotten = local.forgetBackend(backendId);
    Integer shared = decide(() -> this.shared.forgetBackend(backendId));
    return shared == null ? forgotten : shared;
  }

  /** Off the request path: a failure is logged, and leaves request decisions alone. */
  @Override
  public void sweep() {
    local.sweep();
    try {
      shared.sweep();
    } catch (RuntimeException e) {
      log.warn("Shared live state: sweep failed: {}", e.getMessage());
    }
  }

  @Override
  public int clearSessions(Optional<String> frontendId) {
    local.clearSessions(frontendId);
    return administer(() -> shared.clearSessions(frontendId));
  }

  @Override
  public List<Session> sessions() {
    return administer(shared::sessions);
  }

  @Override
  public void close() {
    local.close();
  }

  /** The shared state's answer, or null when the decision is to be made locally. */
  private <T> T decide(Supplier<T> sharedCall) {
    if (!worthTrying()) {
      fallbacks.incrementAndGet();
      return null;
    }
    try {
      T answer = sharedCall.get();
      if (down.compareAndSet(true, false)) {
        log.info("Shared live state reachable again; {} decisions were made on local state so far", fallbacks.get());
      }
      return answer;
    } catch (RuntimeException e) {
      fallbacks.incrementAndGet();
      retryAt.set(nanos.getAsLong() + retryNanos);
      if (down.compareAndSet(false, true)) {
        log.warn("Shared live state failed; sticky sessions and counters are decided on this instance's local state"
            + " until it answers again: {}", e.getMessage());
      }
      return null;
    }
  }

  /** Up: always. Down: one caller per retry interval, which claims the retry by moving it on. */
  private boolean worthTrying() {
    if (!down.get()) return true;
    long now = nanos.getAsLong();
    long at = retryAt.get();
    return now - at >= 0 && retryAt.compareAndSet(at, now + retryNanos);
  }

  private <T> T administer(Supplier<T> sharedCall) {
    try {
      return sharedCall.get();
    } catch (StoreUnavailableException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new StoreUnavailableException("shared live state: " + e.getMessage(), e);
    }
  }
}
