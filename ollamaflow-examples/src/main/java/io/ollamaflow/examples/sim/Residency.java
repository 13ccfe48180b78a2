package io.ollamaflow.examples.sim;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Ollama's scheduler as far as routing can observe it: which models are in memory (/api/ps), what
 * a cold load costs, and how many requests each loaded model runs at once. Thread-safe.
 *
 * <p>Requests pass the scheduler one at a time, in arrival order. A request whose model is loaded
 * (or loading) takes a reference to it and moves on; concurrent requests for a model that is
 * loading wait for that one load. A request for a model that is not loaded, when {@code capacity}
 * models already are, evicts the least recently used idle one; when none is idle it waits, holding
 * up every later request as Ollama does, until the least recently used one has finished its
 * requests. Each loaded model then runs at most {@code parallel} requests; the rest wait for a slot
 * in arrival order. A model with no request left expires {@code keep_alive} after its last use (0:
 * at once); expiry is checked lazily against the clock, so a test can move the clock.
 */
final class Residency {
  /** What load_duration reports when the model was already in memory. */
  static final long WARM_LOAD_NANOS = 1_000_000;

  /** Waits a cold load; closing the server must cut the wait short with an IOException. */
  interface Sleeper {
    void sleep(long nanos) throws InterruptedIOException;
  }

  /** One loaded model as /api/ps lists it. */
  record Loaded(ModelCatalog.Model model, Instant expiresAt) {}

  /** One model in memory, or being loaded, with its parallel slots. */
  private final class Runner {
    final ModelCatalog.Model model;
    final CompletableFuture<Void> ready = new CompletableFuture<>();
    final Slots slots;
    // Guarded by Residency.this.
    int references;
    Instant lastUse;
    Duration keepAlive;

    Runner(ModelCatalog.Model model, Duration keepAlive) {
      this.model = model;
      this.slots = new Slots(parallel, occupancy);
      this.keepAlive = keepAlive;
      this.lastUse = clock.instant();
    }

    Instant expiresAt() {
      return lastUse.plus(keepAlive);
    }
  }

  private final ModelCatalog catalog;
  private final int capacity;
  private final int parallel;
  private final long coldLoadNanos;
  private final Duration defaultKeepAlive;
  private final Clock clock;
  private final Occupancy occupancy;
  private final AtomicInteger coldLoads = new AtomicInteger();
  // Guarded by this. Key: ModelCatalog.key. Iteration order is least recently used first: a use
  // removes and re-inserts the entry.
  private final LinkedHashMap<String, Runner> runners = new LinkedHashMap<>();
  // Guarded by this: the scheduler serves tickets in the order they were drawn.
  private long nextTicket;
  private long serving;

  /**
   * @param initial the models loaded at start, the first one the most recently used; models that
   *     are not installed are dropped and the rest trimmed to capacity
   * @param capacity how many models stay loaded at once (OLLAMA_MAX_LOADED_MODELS)
   * @param parallel how many requests each loaded model runs at once (OLLAMA_NUM_PARALLEL)
   */
  Residency(ModelCatalog catalog, List<String> initial, int capacity, int parallel,
      Duration coldLoadDelay, Duration defaultKeepAlive, Clock clock, Occupancy occupancy) {
    this.catalog = catalog;
    this.capacity = capacity;
    this.parallel = parallel;
    this.coldLoadNanos = coldLoadDelay.toNanos();
    this.defaultKeepAlive = defaultKeepAlive;
    this.clock = clock;
    this.occupancy = occupancy;
    List<ModelCatalog.Model> models = initial.stream()
        .map(catalog::find)
        .flatMap(java.util.Optional::stream)
        .distinct()
        .limit(capacity)
        .toList();
    for (int i = models.size() - 1; i >= 0; i--) {
      Runner runner = new Runner(models.get(i), defaultKeepAlive);
      runner.ready.complete(null);
      runners.put(ModelCatalog.key(models.get(i).name()), runner);
    }
  }

  Duration defaultKeepAlive() {
    return defaultKeepAlive;
  }

  /**
   * Waits until the model is loaded and one of its slots is free, loading it (and evicting
   * another) when needed. The lease's load_duration is the time from the request's arrival until
   * the model was in memory for it (at least {@link #WARM_LOAD_NANOS}), as Ollama reports it;
   * closing the lease frees the slot.
   */
  Lease acquire(ModelCatalog.Model model, Duration keepAlive, Sleeper sleeper) throws IOException {
    // Counted from the request's arrival, as Ollama counts it (from its handler's start to the
    // runner being ready): load_duration includes the wait for the scheduler's turn, such as a
    // busy model finishing before it is evicted, but not the wait for a slot.
    long start = System.nanoTime();
    occupancy.enqueue();
    boolean running = false;
    try {
      Turn turn = schedule(model, keepAlive);
      Runner runner = turn.runner();
      try {
        if (turn.leader()) {
          load(runner, sleeper);
        } else {
          awaitLoad(runner.ready);
        }
        long loadNanos = Math.max(turn.warm() ? WARM_LOAD_NANOS : 1, System.nanoTime() - start);
        long slotAsked = System.nanoTime();
        runner.slots.acquire();
        running = true;
        return new Lease(loadNanos, System.nanoTime() - slotAsked, () -> {
          runner.slots.release();
          release(runner);
        });
      } finally {
        if (!running) {
          release(runner);
        }
      }
    } finally {
      if (!running) {
        occupancy.abandon();
      }
    }
  }

  /** What the scheduler decided: the runner referenced, whether it was loaded, who loads it. */
  private record Turn(Runner runner, boolean warm, boolean leader) {}

  /** Waits for this request's turn, then references the model's runner, making room for it if new. */
  private synchronized Turn schedule(ModelCatalog.Model model, Duration keepAlive)
      throws InterruptedIOException {
    long ticket = nextTicket++;
    try {
      while (ticket != serving) {
        wait();
      }
    } catch (InterruptedException e) {
      // Only closing interrupts; the turns left behind no longer matter.
      throw closing();
    }
    try {
      expireIdle();
      String key = ModelCatalog.key(model.name());
      Runner runner = runners.get(key);
      boolean leader = runner == null;
      if (leader) {
        makeRoom();
        runner = new Runner(model, keepAlive);
      }
      runner.references++;
      runner.keepAlive = keepAlive;
      touch(key, runner);
      return new Turn(runner, runner.ready.isDone(), leader);
    } catch (InterruptedException e) {
      throw closing();
    } finally {
      serving++;
      notifyAll();
    }
  }

  // Guarded by this: waits (holding the scheduler's turn) until fewer than capacity are loaded.
  private void makeRoom() throws InterruptedException {
    while (runners.size() >= capacity) {
      Runner victim = leastRecentlyUsed(true);
      if (victim == null) {
        // Nobody idle: wait for the least recently used one to finish, then take its place.
        leastRecentlyUsed(false).keepAlive = Duration.ZERO;
        wait();
      } else {
        runners.values().remove(victim);
      }
    }
  }

  // Guarded by this.
  private Runner leastRecentlyUsed(boolean idleOnly) {
    for (Runner runner : runners.values()) {
      if (!idleOnly || runner.references == 0) {
        return runner;
      }
    }
    return null;
  }

  // Guarded by this.
  private void touch(String key, Runner runner) {
    runners.remove(key);
    runners.put(key, runner);
    runner.lastUse = clock.instant();
  }

  private void load(Runner runner, Sleeper sleeper) throws IOException {
    try {
      sleeper.sleep(coldLoadNanos);
    } catch (IOException | RuntimeException e) {
      synchronized (this) {
        runners.values().remove(runner);
        notifyAll();
      }
      runner.ready.completeExceptionally(new IOException("model load aborted"));
      throw e;
    }
    coldLoads.incrementAndGet();
    runner.ready.complete(null);
  }

  private static void awaitLoad(CompletableFuture<Void> ready) throws IOException {
    try {
      ready.get();
    } catch (InterruptedException e) {
      throw closing();
    } catch (ExecutionException e) {
      throw new IOException("model load failed", e.getCause());
    }
  }

  private synchronized void release(Runner runner) {
    runner.references--;
    runner.lastUse = clock.instant();
    if (runner.references == 0 && runner.keepAlive.isZero()) {
      runners.values().remove(runner);
    }
    notifyAll();
  }

  // Guarded by this.
  private void expireIdle() {
    Instant now = clock.instant();
    Iterator<Runner> all = runners.values().iterator();
    while (all.hasNext()) {
      Runner runner = all.next();
      if (runner.references == 0 && !runner.expiresAt().isAfter(now)) {
        all.remove();
      }
    }
  }

  /** Unloads the model once its requests are done, as a request with keep_alive 0 would. */
  synchronized void unloadWhenIdle(ModelCatalog.Model model) {
    Runner runner = runners.get(ModelCatalog.key(model.name()));
    if (runner != null) {
      runner.keepAlive = Duration.ZERO;
      if (runner.references == 0) {
        runners.values().remove(runner);
      }
    }
  }

  synchronized void unload(String name) {
    runners.remove(ModelCatalog.key(name));
  }

  /** Loads performed since start; the initially loaded models do not count. */
  int coldLoads() {
    return coldLoads.get();
  }

  /**
   * The models in memory or being loaded that are still installed, most recently used first,
   * with the time each expires if no request uses it again.
   */
  List<Loaded> loaded() {
    List<Loaded> result = new ArrayList<>();
    synchronized (this) {
      expireIdle();
      for (Runner runner : runners.values()) {
        result.add(0, new Loaded(runner.model, runner.expiresAt()));
      }
    }
    result.removeIf(loaded -> catalog.find(loaded.model().name()).isEmpty());
    return result;
  }

  private static InterruptedIOException closing() {
    Thread.currentThread().interrupt();
    return new InterruptedIOException("simulated server is closing");
  }
}
