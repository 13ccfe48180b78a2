package io.ollamaflow.examples.sim;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * Which models are in memory, as /api/ps reports them. Thread-safe.
 *
 * <p>Unless residency is simulated the loaded set never changes (apart from deleted models) and
 * loading costs nothing, which is how the simulator behaved before residency existed. When it is
 * simulated, an inference request for a model that is not loaded first waits the cold-load delay
 * (concurrent requests for that model share one load), then the model is loaded and, above the
 * capacity, the least recently used loaded model is evicted. Evicting does not wait for requests
 * still running on the evicted model: they finish normally.
 */
final class Residency {
  /** What load_duration reports when the model was already in memory. */
  static final long WARM_LOAD_NANOS = 1_000_000;
  /** Ollama's default keep_alive: a loaded model expires this long after its last use. */
  static final Duration KEEP_ALIVE = Duration.ofMinutes(5);

  /** Waits a cold load; closing the server must cut the wait short with an IOException. */
  interface Sleeper {
    void sleep(long nanos) throws InterruptedIOException;
  }

  /** One loaded model as /api/ps lists it. */
  record Loaded(ModelCatalog.Model model, Instant expiresAt) {}

  private final ModelCatalog catalog;
  private final boolean simulated;
  private final int capacity;
  private final long coldLoadNanos;
  private final AtomicInteger coldLoads = new AtomicInteger();
  // Guarded by this. Key: ModelCatalog.key; value: last use. Iteration order is least recently
  // used first: a use removes and re-inserts the entry.
  private final LinkedHashMap<String, Instant> loaded = new LinkedHashMap<>();
  // Guarded by this. Loads in progress, so that concurrent requests wait for the same one.
  private final Map<String, CompletableFuture<Void>> loading = new HashMap<>();

  /**
   * @param initial the initially loaded models, the first one the most recently used; when
   *     simulated, models that are not installed are dropped and the rest trimmed to capacity
   * @param simulated whether requests load models; false keeps the loaded set fixed
   * @param capacity how many models stay loaded at once (Integer.MAX_VALUE: unlimited)
   */
  Residency(ModelCatalog catalog, List<String> initial, boolean simulated, int capacity,
      Duration coldLoadDelay) {
    this.catalog = catalog;
    this.simulated = simulated;
    this.capacity = capacity;
    this.coldLoadNanos = coldLoadDelay.toNanos();
    List<String> keys = initial.stream()
        .filter(name -> !simulated || catalog.find(name).isPresent())
        .map(ModelCatalog::key)
        .distinct()
        .limit(simulated ? capacity : Long.MAX_VALUE)
        .toList();
    Instant now = Instant.now();
    for (int i = keys.size() - 1; i >= 0; i--) {
      loaded.put(keys.get(i), now);
    }
  }

  /**
   * Makes sure the model is loaded before a request uses it and marks it as used.
   *
   * @return the load_duration to report in nanoseconds: the time waited for a load, or {@link
   *     #WARM_LOAD_NANOS} when the model was already loaded
   */
  long acquire(ModelCatalog.Model model, Sleeper sleeper) throws IOException {
    if (!simulated) {
      return WARM_LOAD_NANOS;
    }
    String key = ModelCatalog.key(model.name());
    long start = System.nanoTime();
    CompletableFuture<Void> load;
    boolean leader = false;
    synchronized (this) {
      if (loaded.containsKey(key)) {
        use(key);
        return WARM_LOAD_NANOS;
      }
      load = loading.get(key);
      if (load == null) {
        load = new CompletableFuture<>();
        loading.put(key, load);
        leader = true;
      }
    }
    if (leader) {
      performLoad(key, load, sleeper);
    } else {
      awaitLoad(load);
      synchronized (this) {
        if (loaded.containsKey(key)) {
          use(key);
        }
      }
    }
    return Math.max(1, System.nanoTime() - start);
  }

  private void performLoad(String key, CompletableFuture<Void> load, Sleeper sleeper)
      throws IOException {
    boolean done = false;
    try {
      sleeper.sleep(coldLoadNanos);
      synchronized (this) {
        loading.remove(key);
        // A model deleted while it loaded does not take a slot.
        if (catalog.find(key).isPresent()) {
          use(key);
          evictBeyondCapacity();
        }
        coldLoads.incrementAndGet();
      }
      done = true;
    } finally {
      if (done) {
        load.complete(null);
      } else {
        synchronized (this) {
          loading.remove(key);
        }
        load.completeExceptionally(new IOException("model load aborted"));
      }
    }
  }

  private static void awaitLoad(CompletableFuture<Void> load) throws IOException {
    try {
      load.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("simulated server is closing");
    } catch (ExecutionException e) {
      throw new IOException("model load failed", e.getCause());
    }
  }

  // Guarded by this.
  private void use(String key) {
    loaded.remove(key);
    loaded.put(key, Instant.now());
  }

  // Guarded by this.
  private void evictBeyondCapacity() {
    Iterator<String> leastRecentFirst = loaded.keySet().iterator();
    while (loaded.size() > capacity && leastRecentFirst.hasNext()) {
      leastRecentFirst.next();
      leastRecentFirst.remove();
    }
  }

  synchronized void unload(String name) {
    loaded.remove(ModelCatalog.key(name));
  }

  /** Loads performed since start; the initially loaded models do not count. */
  int coldLoads() {
    return coldLoads.get();
  }

  /**
   * The loaded models that are installed. Simulated residency lists them most recently used
   * first, each expiring {@link #KEEP_ALIVE} after its last use; otherwise they come in /api/tags
   * order and expire that long from now, as before.
   */
  List<Loaded> loaded() {
    List<Map.Entry<String, Instant>> snapshot;
    synchronized (this) {
      snapshot = loaded.entrySet().stream().map(e -> Map.entry(e.getKey(), e.getValue())).toList();
    }
    List<Loaded> result = new ArrayList<>();
    if (simulated) {
      for (int i = snapshot.size() - 1; i >= 0; i--) {
        Map.Entry<String, Instant> entry = snapshot.get(i);
        catalog.find(entry.getKey()).ifPresent(model ->
            result.add(new Loaded(model, entry.getValue().plus(KEEP_ALIVE))));
      }
      return result;
    }
    Instant expiresAt = Instant.now().plus(KEEP_ALIVE);
    Set<String> keys = snapshot.stream().map(Map.Entry::getKey).collect(Collectors.toSet());
    for (ModelCatalog.Model model : catalog.installed()) {
      if (keys.contains(ModelCatalog.key(model.name()))) {
        result.add(new Loaded(model, expiresAt));
      }
    }
    return result;
  }
}
