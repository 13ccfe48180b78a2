package io.ollamaflow.examples.sim;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/** Failures armed by a test. Thread-safe: each armed failure is consumed by exactly one request. */
final class Faults {
  private record Failure(int remaining, int status) {}

  private static final Failure NONE = new Failure(0, 0);

  private final AtomicReference<Failure> failures = new AtomicReference<>(NONE);
  private final AtomicInteger hangs = new AtomicInteger();
  private volatile int cutAfterLines = -1;

  void failNext(int count, int status) {
    failures.set(new Failure(count, status));
  }

  void hangNext(int count) {
    hangs.set(count);
  }

  void cutStreamsAfter(int lines) {
    cutAfterLines = lines;
  }

  void clear() {
    failures.set(NONE);
    hangs.set(0);
    cutAfterLines = -1;
  }

  /** The status this request must fail with, or 0 when no failure is armed. */
  int takeFailure() {
    Failure before = failures.getAndUpdate(
        f -> f.remaining() > 0 ? new Failure(f.remaining() - 1, f.status()) : f);
    return before.remaining() > 0 ? before.status() : 0;
  }

  boolean takeHang() {
    return hangs.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
  }

  /** Lines after which streams are cut, or -1 when streams run to the end. */
  int cutAfterLines() {
    return cutAfterLines;
  }
}
