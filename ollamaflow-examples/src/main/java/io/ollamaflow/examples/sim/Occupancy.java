package io.ollamaflow.examples.sim;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many inference requests one simulated server is running and how many wait inside it for a
 * model load, the scheduler or a free slot. Thread-safe. Each request calls {@link #enqueue()}
 * once, then either {@link #start()} and later {@link #finish()}, or {@link #abandon()}.
 */
final class Occupancy {
  private final AtomicInteger running = new AtomicInteger();
  private final AtomicInteger waiting = new AtomicInteger();
  private final AtomicInteger maxWaiting = new AtomicInteger();

  void enqueue() {
    maxWaiting.accumulateAndGet(waiting.incrementAndGet(), Math::max);
  }

  void start() {
    waiting.decrementAndGet();
    running.incrementAndGet();
  }

  void abandon() {
    waiting.decrementAndGet();
  }

  void finish() {
    running.decrementAndGet();
  }

  int running() {
    return running.get();
  }

  int waiting() {
    return waiting.get();
  }

  int maxWaiting() {
    return maxWaiting.get();
  }
}
