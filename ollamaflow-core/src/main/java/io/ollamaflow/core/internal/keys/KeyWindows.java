package io.ollamaflow.core.internal.keys;

import io.ollamaflow.api.LiveState;
import io.ollamaflow.api.LiveState.WindowCount;
import java.time.Duration;
import java.time.Instant;

/**
 * The per-minute counters of API keys ({@code apikey:<identifier>:requests} and {@code :tokens}),
 * kept in the cluster's {@link LiveState}: exact for one instance with the in-memory default,
 * shared between instances with a shared one (which the cluster wraps so that, when it cannot
 * answer, the count goes on in this instance's own windows).
 *
 * <p>Threading: thread-safe; called on request threads.
 */
public final class KeyWindows {
  public static final Duration WINDOW = Duration.ofMinutes(1);

  /** The names of one key's counters, made once per key (held by {@link ApiKeyIndex.KnownKey}). */
  public record Counters(String requests, String tokens) {
    public static Counters of(String identifier) {
      return new Counters("apikey:" + identifier + ":requests", "apikey:" + identifier + ":tokens");
    }
  }

  private final LiveState live;

  public KeyWindows(LiveState live) {
    this.live = live;
  }

  /** Counts one request of a key in the window holding {@code now}; returns the window's total. */
  public long addRequest(Counters key, Instant now) {
    return add(key.requests(), now, 1);
  }

  /** Adds tokens used by a key to the window holding {@code now} (0 reads it); returns the window's total. */
  public long addTokens(Counters key, Instant now, long tokens) {
    return add(key.tokens(), now, tokens);
  }

  /** Whole seconds from {@code now} to the start of the next window, at least 1. */
  public static long secondsToNextWindow(Instant now) {
    Instant next = WindowCount.windowStart(now, WINDOW).plus(WINDOW);
    long millis = Duration.between(now, next).toMillis();
    return Math.max(1, (millis + 999) / 1000);
  }

  private long add(String counter, Instant now, long amount) {
    return live.addToWindow(new WindowCount(counter, WindowCount.windowStart(now, WINDOW), WINDOW, amount));
  }
}
