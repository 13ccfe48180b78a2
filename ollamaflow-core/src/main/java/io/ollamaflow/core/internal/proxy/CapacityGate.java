package io.ollamaflow.core.internal.proxy;

import io.ollamaflow.core.internal.routing.BackendState;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The queue of requests waiting for a backend slot ({@code MaxParallelRequests}). A waiter is not
 * bound to a backend chosen up front: it takes a slot on whichever of its candidates frees one
 * first. Requests that find a free slot never touch the queue's lock.
 *
 * <p>No wake-up is lost: a waiter enqueues before it checks its candidates once more, and a
 * releaser frees its slot before it looks for waiters.
 */
final class CapacityGate {
  private final ReentrantLock lock = new ReentrantLock();
  private final Deque<Waiter> waiters = new ArrayDeque<>();
  private final AtomicInteger waiting = new AtomicInteger();

  /** Waiters queued for backends of this frontend. */
  int queued(String frontendId) {
    if (waiting.get() == 0) return 0;
    lock.lock();
    try {
      int n = 0;
      for (Waiter w : waiters) if (w.frontendId.equals(frontendId)) n++;
      return n;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits until one of {@code candidates} has a free slot and takes it.
   *
   * @return the backend whose slot was taken, or null when none freed one within the timeout
   */
  BackendState await(String frontendId, List<BackendState> candidates, long timeoutNanos) throws InterruptedException {
    Waiter waiter = new Waiter(frontendId, candidates);
    lock.lock();
    try {
      waiters.addLast(waiter);
      waiting.incrementAndGet();
      for (BackendState candidate : candidates) {
        if (candidate.tryAcquire()) {
          remove(waiter);
          return candidate;
        }
      }
    } finally {
      lock.unlock();
    }
    try {
      return waiter.slot.get(timeoutNanos, TimeUnit.NANOSECONDS);
    } catch (TimeoutException | InterruptedException e) {
      lock.lock();
      try {
        if (remove(waiter)) {
          if (e instanceof InterruptedException) throw (InterruptedException) e;
          return null;
        }
      } finally {
        lock.unlock();
      }
      return waiter.slot.join(); // handed a slot just as the wait ended
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    }
  }

  /** Frees a slot of {@code backend} and hands it to the oldest waiter that can use it. */
  void release(BackendState backend) {
    backend.release();
    if (waiting.get() == 0) return;
    String id = backend.backend().identifier();
    lock.lock();
    try {
      for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
        Waiter waiter = it.next();
        if (!waiter.accepts(id)) continue;
        if (!backend.tryAcquire()) return;
        it.remove();
        waiting.decrementAndGet();
        waiter.slot.complete(backend);
        return;
      }
    } finally {
      lock.unlock();
    }
  }

  private boolean remove(Waiter waiter) {
    if (!waiters.remove(waiter)) return false;
    waiting.decrementAndGet();
    return true;
  }

  private static final class Waiter {
    final String frontendId;
    final List<BackendState> candidates;
    final CompletableFuture<BackendState> slot = new CompletableFuture<>();

    Waiter(String frontendId, List<BackendState> candidates) {
      this.frontendId = frontendId;
      this.candidates = candidates;
    }

    boolean accepts(String backendId) {
      for (BackendState c : candidates) {
        if (c.backend().identifier().equals(backendId)) return true;
      }
      return false;
    }
  }
}
