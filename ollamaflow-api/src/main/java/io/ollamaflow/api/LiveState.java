package io.ollamaflow.api;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * State that changes with every request and that several cluster instances may share: counters
 * kept per fixed time window (requests and tokens per minute of an API key, of a backend). The
 * default, {@code InMemoryLiveState} in core, is exact for one process; a shared implementation
 * (e.g. on PostgreSQL) makes limits hold across instances.
 *
 * <p>Threading: must be thread-safe. Called on request threads, so an implementation that goes to
 * the network answers within a short bound of its own and throws an unchecked exception when it
 * cannot; the cluster then decides on its local state and counts the fallback. No method may block
 * past that bound.
 */
public interface LiveState extends AutoCloseable {
  /**
   * Adds {@code amount} to the counter's window that starts at {@code windowStart} and returns the
   * window's total after the addition (an amount of 0 reads it). A window other than the current
   * one starts from 0; older windows may be forgotten.
   */
  long addToWindow(WindowCount count);

  /**
   * One addition to a windowed counter.
   *
   * @param counter what is counted, e.g. {@code apikey:<id>:requests}; bounded by configuration,
   *     never by what clients send
   * @param windowStart start of the window, a multiple of {@code window} since the epoch
   * @param window the window's length
   * @param amount what to add; 0 only reads
   */
  record WindowCount(String counter, Instant windowStart, Duration window, long amount) {
    public WindowCount {
      Objects.requireNonNull(counter, "counter");
      Objects.requireNonNull(windowStart, "windowStart");
      Objects.requireNonNull(window, "window");
      if (window.isNegative() || window.isZero()) throw new IllegalArgumentException("window: " + window + " (expected: > 0)");
      if (amount < 0) throw new IllegalArgumentException("amount: " + amount + " (expected: >= 0)");
    }

    /** The window of length {@code window} that holds {@code now}. */
    public static Instant windowStart(Instant now, Duration window) {
      long size = window.toMillis();
      return Instant.ofEpochMilli(Math.floorDiv(now.toEpochMilli(), size) * size);
    }
  }

  @Override
  void close();
}
