package io.ollamaflow.core.internal;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import okio.AsyncTimeout;

/**
 * Keeps Okio's watchdog thread asleep while backends are read and written. OkHttp bounds every
 * socket read and write with an {@link AsyncTimeout}, and Okio signals its one watchdog thread
 * whenever a timeout enters at the front of its queue: with nothing else queued, that is every
 * read and write, each a futex wake and two thread switches, more CPU than the proxy's own work
 * on a small request. This timeout expires every {@code period} and enters again, so it is nearly
 * always the earliest: timeouts longer than the period queue behind it without a signal, and the
 * watchdog wakes once a period. Shorter ones still go first and are woken for as before. Every
 * timeout fires as it did; only the wake-ups change.
 *
 * <p>Threading: {@link #timedOut} runs on Okio's watchdog thread; start and close from any thread.
 */
public final class OkioWatchdogAnchor extends AsyncTimeout implements AutoCloseable {
  public static final Duration DEFAULT_PERIOD = Duration.ofSeconds(1);

  private boolean closed;
  private long reentries;

  private OkioWatchdogAnchor(Duration period) {
    timeout(period.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** An anchor in Okio's queue until closed. */
  public static OkioWatchdogAnchor start(Duration period) {
    OkioWatchdogAnchor anchor = new OkioWatchdogAnchor(period);
    anchor.enter();
    return anchor;
  }

  /**
   * Expired: enter again. A throw here would end Okio's watchdog thread and every timeout of the
   * JVM with it, so nothing escapes.
   */
  @Override
  protected synchronized void timedOut() {
    try {
      exit();
      if (closed) return;
      enter();
      reentries++;
    } catch (RuntimeException e) {
      closed = true;
    }
  }

  /** Times the anchor expired and entered again. */
  synchronized long reentries() {
    return reentries;
  }

  /** Leaves Okio's queue for good. */
  @Override
  public synchronized void close() {
    closed = true;
    exit();
  }
}
