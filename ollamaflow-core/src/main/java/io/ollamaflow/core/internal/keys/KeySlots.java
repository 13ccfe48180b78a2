package io.ollamaflow.core.internal.keys;

import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One API key's requests in flight in this instance, and the short wait for a slot when it has
 * its MaxConcurrentRequests: a waiting request is woken as soon as another ends. One per key
 * identifier, shared by every {@link ApiKeyIndex} that holds it, so a request admitted before an
 * edit is released against the count the next request sees.
 *
 * <p>Threading: thread-safe; request threads take and release concurrently.
 */
public final class KeySlots {
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition released = lock.newCondition();
  private int inFlight;

  /**
   * Counts a request in flight when fewer than {@code max} are (0: no limit), waiting up to
   * {@code graceNanos} for a request to end; false when none did in time, or the wait was
   * interrupted (the interrupt is kept).
   */
  public boolean take(int max, long graceNanos) {
    lock.lock();
    try {
      long left = graceNanos;
      while (max != 0 && inFlight >= max) {
        if (left <= 0) return false;
        try {
          left = released.awaitNanos(left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
      inFlight++;
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** A request taken with {@link #take} ended; wakes the requests waiting for a slot. */
  public void release() {
    lock.lock();
    try {
      inFlight--;
      released.signalAll();
    } finally {
      lock.unlock();
    }
  }
}
