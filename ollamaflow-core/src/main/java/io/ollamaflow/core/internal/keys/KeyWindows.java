package io.ollamaflow.core.internal.keys;

import io.ollamaflow.api.ApiKey;
import io.ollamaflow.api.LiveState;
import io.ollamaflow.api.LiveState.WindowCount;
import io.ollamaflow.core.InMemoryLiveState;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-minute counters of API keys ({@code apikey:<identifier>:requests} and {@code :tokens}),
 * kept in the cluster's {@link LiveState}: exact for one instance with the in-memory default,
 * shared between instances with a shared one. When the live state cannot answer, the count falls
 * back to this instance's own windows; the first failure and every 1,000th after it are logged
 * with the count.
 *
 * <p>Threading: thread-safe; called on request threads.
 */
public final class KeyWindows {
  public static final Duration WINDOW = Duration.ofMinutes(1);
  private static final Logger log = LoggerFactory.getLogger(KeyWindows.class);

  private final LiveState live;
  private final LiveState local = new InMemoryLiveState();
  private final AtomicLong fallbacks = new AtomicLong();

  public KeyWindows(LiveState live) {
    this.live = live;
  }

  /** Counts one request of {@code key} in the window holding {@code now}; returns the window's total. */
  public long addRequest(ApiKey key, Instant now) {
    return add("apikey:" + key.identifier() + ":requests", now, 1);
  }

  /** Adds tokens used by {@code key} to the window holding {@code now} (0 reads it); returns the window's total. */
  public long addTokens(ApiKey key, Instant now, long tokens) {
    return add("apikey:" + key.identifier() + ":tokens", now, tokens);
  }

  /** Whole seconds from {@code now} to the start of the next window, at least 1. */
  public static long secondsToNextWindow(Instant now) {
    Instant next = WindowCount.windowStart(now, WINDOW).plus(WINDOW);
    long millis = Duration.between(now, next).toMillis();
    return Math.max(1, (millis + 999) / 1000);
  }

  private long add(String counter, Instant now, long amount) {
    WindowCount count = new WindowCount(counter, WindowCount.windowStart(now, WINDOW), WINDOW, amount);
    try {
      return live.addToWindow(count);
    } catch (RuntimeException e) {
      long failures = fallbacks.incrementAndGet();
      if (failures % 1_000 == 1) {
        log.warn("The live state failed ({} times so far), API key limits count in this instance: {}", failures,
            e.toString());
      }
      return local.addToWindow(count);
    }
  }
}
