package io.ollamaflow.core;

import io.ollamaflow.api.LiveState;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The default {@link LiveState}: exact within one process, nothing shared, nothing kept across a
 * restart. Thread-safe, never blocks. Keeps one window per counter; counters are bounded by
 * configuration (keys, backends), and windows long past are dropped as the map grows.
 */
public final class InMemoryLiveState implements LiveState {
  private static final int SWEEP_ABOVE = 10_000;

  private final Map<String, Window> windows = new ConcurrentHashMap<>();

  private record Window(Instant start, Instant end, long total) {}

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
  public void close() {}
}
