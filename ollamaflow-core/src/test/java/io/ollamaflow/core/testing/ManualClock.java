package io.ollamaflow.core.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;

/**
 * A clock that stands still until the test {@link #advance advances} it, for code that takes a
 * {@link Clock}. Thread-safe: the instant is volatile and advancing is synchronized, so threads
 * under test may read it while the test thread moves it.
 */
public final class ManualClock extends Clock {
  private final ZoneId zone;
  private volatile Instant now;

  /** A UTC clock reading {@code start}. */
  public ManualClock(Instant start) {
    this(start, ZoneOffset.UTC);
  }

  private ManualClock(Instant start, ZoneId zone) {
    this.now = Objects.requireNonNull(start, "start");
    this.zone = Objects.requireNonNull(zone, "zone");
  }

  /** Moves the clock forward (or back, for a negative amount). */
  public synchronized void advance(Duration amount) {
    now = now.plus(amount);
  }

  @Override
  public Instant instant() {
    return now;
  }

  @Override
  public ZoneId getZone() {
    return zone;
  }

  /** A separate clock reading the same instant in another zone; advancing one does not move the other. */
  @Override
  public Clock withZone(ZoneId zone) {
    return new ManualClock(now, zone);
  }
}
