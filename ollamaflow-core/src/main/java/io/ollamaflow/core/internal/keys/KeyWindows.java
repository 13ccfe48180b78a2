package io.ollamaflow.core.internal.keys;

import io.ollamaflow.api.ApiKey;
import io.ollamaflow.api.LiveState;
import io.ollamaflow.api.LiveState.WindowCount;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

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

  /**
   * What a key has used in the window of a request being admitted.
   *
   * @param tokens tokens used before this request; 0 when the key has no TokensPerMinute
   * @param requests requests counted, this one included; 0 when the key has no RequestsPerMinute
   */
  public record Usage(long tokens, long requests) {}

  /**
   * For a request of {@code known} being admitted: reads its tokens in the window holding
   * {@code now} and counts the request, each only when the key limits it, in one call to the live
   * state (one round trip for a shared one).
   */
  public Usage admit(ApiKeyIndex.KnownKey known, Instant now) {
    ApiKey key = known.key();
    boolean tokens = key.tokensPerMinute() > 0;
    boolean requests = key.requestsPerMinute() > 0;
    if (!tokens && !requests) return new Usage(0, 0);
    Instant start = WindowCount.windowStart(now, WINDOW);
    WindowCount readTokens = new WindowCount(known.counters().tokens(), start, WINDOW, 0);
    WindowCount countRequest = new WindowCount(known.counters().requests(), start, WINDOW, 1);
    if (tokens && requests) {
      long[] totals = live.addToWindows(List.of(readTokens, countRequest));
      return new Usage(totals[0], totals[1]);
    }
    return tokens ? new Usage(live.addToWindow(readTokens), 0) : new Usage(0, live.addToWindow(countRequest));
  }

  /** Adds tokens a request of a key used to the window holding {@code now}; returns the window's total. */
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
