package io.ollamaflow.examples.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
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
  final Occupancy occupancy;
  // Flavors without Ollama's scheduler (vLLM) run every model on one engine with these slots.
  private final Slots engine;
  final Faults faults = new Faults();

  final AtomicInteger active = new AtomicInteger();
  final AtomicInteger maxConcurrent = new AtomicInteger();
  final AtomicInteger cancelledStreams = new AtomicInteger();
  volatile Duration tokenDelay;
  private final Deque<SimulatedOllama.Request> requests = new ArrayDeque<>();
  private final CountDownLatch closed = new CountDownLatch(1);

  SimState(String id, SimulatedOllama.Flavor flavor, String version, int tokens, Duration tokenDelay,
      ModelCatalog catalog, Residency residency, Occupancy occupancy, Slots engine) {
    this.id = id;
    this.flavor = flavor;
    this.version = version;
    this.tokens = tokens;
    this.tokenDelay = tokenDelay;
    this.catalog = catalog;
    this.residency = residency;
    this.occupancy = occupancy;
    this.engine = engine;
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
   * Admits one inference request: for Ollama, loads the model unless it is in memory and waits for
   * one of its slots (see {@link Residency}), keeping it loaded for the request's keep_alive; for
   * vLLM, waits for an engine slot. Closing the server cuts the wait short with an IOException.
   */
  Lease admit(ModelCatalog.Model model, JsonNode request) throws IOException {
    if (engine == null) {
      Duration keepAlive = KeepAlive.of(request, residency.defaultKeepAlive());
      return residency.acquire(model, keepAlive, this::sleepUntilClosed);
    }
    occupancy.enqueue();
    long slotAsked = System.nanoTime();
    try {
      engine.acquire();
    } catch (IOException | RuntimeException e) {
      occupancy.abandon();
      throw e;
    }
    return new Lease(Residency.WARM_LOAD_NANOS, System.nanoTime() - slotAsked, engine::release);
  }

  /** Admits a request of an API without keep_alive (OpenAI's): the default applies. */
  Lease admit(ModelCatalog.Model model) throws IOException {
    return admit(model, NullNode.getInstance());
  }

  /** The engine's slots (vLLM); absent for Ollama, whose slots belong to each loaded model. */
  Optional<Slots> engine() {
    return Optional.ofNullable(engine);
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
