package io.ollamaflow.core.testing;

import java.time.Duration;
import java.util.concurrent.Callable;

/** Polls a condition until it holds, for effects that happen on another thread. */
public final class Eventually {
  private Eventually() {}

  /** Waits until {@code condition} is true; fails with {@code what} after {@code timeout}. */
  public static void until(Duration timeout, String what, Callable<Boolean> condition) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.call()) {
      if (System.nanoTime() > deadline) throw new AssertionError("timed out after " + timeout + " waiting until " + what);
      Thread.sleep(10);
    }
  }
}
