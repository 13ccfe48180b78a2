package io.ollamaflow.examples.sim;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Everything the request handlers of one simulated server share. Thread-safe. */
final class SimState {
  // Bounds the request log so that a long --demo run or a benchmark does not grow without limit.
  static final int MAX_LOGGED_REQUESTS = 10_000;

  final String id;
  final SimulatedOllama.Flavor flavor;
  final String version;
  final int tokens;
  final ModelCatalog catalog;
  final Residency residency;
  final Faults faults = new Faults();

  final AtomicInteger active = new AtomicInteger();
  final AtomicInteger maxConcurrent = new AtomicInteger();
  final AtomicInteger cancelledStreams = new AtomicInteger();
  volatile Duration tokenDelay;
  private final Deque<SimulatedOllama.Request> requests = new ArrayDeque<>();
  private final CountDownLatch closed = new CountDownLatch(1);

  SimState(String id, SimulatedOllama.Flavor flavor, String version, int tokens, Duration tokenDelay,
      ModelCatalog catalog, Residency residency) {
    this.id = id;
    this.flavor = flavor;
    this.version = version;
    this.tokens = tokens;
    this.tokenDelay = tokenDelay;
    this.catalog = catalog;
    this.residency = residency;
  }

  synchronized void log(SimulatedOllama.Request request) {
    if (requests.size() == MAX_LOGGED_REQUESTS) {
      requests.removeFirst();
    }
    requests.addLast(request);
  }

  synchronized List<SimulatedOllama.Request> requests() {
    return List.copyOf(requests);
  }

  synchronized void clearRequests() {
    requests.clear();
  }

  void close() {
    closed.countDown();
  }

  /** Blocks a hung request until the server closes. */
  void awaitClose() throws InterruptedIOException {
    try {
      closed.await();
    } catch (InterruptedException e) {
      throw interrupted();
    }
  }

  /** Sleeps {@code count} token delays; closing the server interrupts it. */
  void pauseTokens(int count) throws InterruptedIOException {
    long nanos = tokenDelay.toNanos() * count;
    if (nanos <= 0) {
      return;
    }
    try {
      Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
    } catch (InterruptedException e) {
      throw interrupted();
    }
  }

  /**
   * Loads the model unless it is in memory (see {@link Residency}); returns the load_duration to
   * report in nanoseconds. Closing the server cuts a cold load short with an IOException.
   */
  long load(ModelCatalog.Model model) throws IOException {
    return residency.acquire(model, this::sleepUntilClosed);
  }

  private void sleepUntilClosed(long nanos) throws InterruptedIOException {
    if (nanos <= 0) {
      return;
    }
    try {
      if (closed.await(nanos, TimeUnit.NANOSECONDS)) {
        throw new InterruptedIOException("simulated server is closing");
      }
    } catch (InterruptedException e) {
      throw interrupted();
    }
  }

  // An IOException makes the JDK server drop the connection, which is what closing should do.
  private static InterruptedIOException interrupted() {
    Thread.currentThread().interrupt();
    return new InterruptedIOException("simulated server is closing");
  }
}
