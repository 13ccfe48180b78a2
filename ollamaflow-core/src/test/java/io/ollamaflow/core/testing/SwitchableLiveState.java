package io.ollamaflow.core.testing;

import io.ollamaflow.api.LiveState;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A live state over another that fails every call while {@link #down}, as a database that stopped
 * answering, and counts the calls that reached it.
 */
public final class SwitchableLiveState implements LiveState {
  /** The state calls reach while up; tests read it to see what the shared state holds. */
  public final LiveState delegate;
  /** Every call that reached this state, failed or not. */
  public final AtomicInteger calls = new AtomicInteger();
  /** The {@link #addToWindow} and {@link #addToWindows} calls among them. */
  public final AtomicInteger counterCalls = new AtomicInteger();
  public volatile boolean down;

  public SwitchableLiveState(LiveState delegate) {
    this.delegate = delegate;
  }

  private void reach() {
    calls.incrementAndGet();
    if (down) throw new IllegalStateException("test database is down");
  }

  @Override public Optional<String> lookupSession(SessionKey key, Duration ttl) { reach(); return delegate.lookupSession(key, ttl); }
  @Override public void bindSession(SessionKey key, String backendId, Duration ttl) { reach(); delegate.bindSession(key, backendId, ttl); }
  @Override public void unbindSession(SessionKey key) { reach(); delegate.unbindSession(key); }
  @Override public int forgetBackend(String backendId) { reach(); return delegate.forgetBackend(backendId); }
  @Override public int clearSessions(Optional<String> frontendId) { reach(); return delegate.clearSessions(frontendId); }
  @Override public List<Session> sessions() { reach(); return delegate.sessions(); }
  @Override public void sweep() { reach(); delegate.sweep(); }
  @Override public void close() {}

  @Override
  public long addToWindow(WindowCount count) {
    counterCalls.incrementAndGet();
    reach();
    return delegate.addToWindow(count);
  }

  @Override
  public long[] addToWindows(List<WindowCount> counts) {
    counterCalls.incrementAndGet();
    reach();
    return delegate.addToWindows(counts);
  }
}
