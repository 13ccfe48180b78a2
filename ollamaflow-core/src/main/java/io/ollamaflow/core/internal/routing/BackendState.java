package io.ollamaflow.core.internal.routing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ollamaflow.api.Backend;
import io.ollamaflow.api.BackendView;
import io.ollamaflow.api.HealthStatus;
import io.ollamaflow.api.RequestKind;
import io.ollamaflow.core.internal.health.HealthTracker;
import io.ollamaflow.core.internal.models.BackendModels;
import io.ollamaflow.core.internal.models.ModelNames;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One backend as the router sees it: fixed configuration plus live state (health, the requests in
 * flight, its models and its measured load). When the configuration changes a new state is made
 * that shares the live state, so requests still in flight on the old configuration keep being
 * counted; a new address means a different server, so its health, models and measurements start
 * over.
 */
public final class BackendState implements BackendView {
  private final Backend backend;
  private final AtomicInteger activeRequests;
  private final AtomicInteger queuedRequests;
  private final HealthTracker health;
  private final BackendModels models;
  private final BackendLoad load;
  private final Clock clock;
  private final ObjectNode completionPins;
  private final ObjectNode embeddingPins;
  /** Learned from a refusal; forgotten when the backend's configuration changes (an api-version, say). */
  private volatile boolean refusesStreamOptions;

  public BackendState(Backend backend, Clock clock) {
    this(backend, new AtomicInteger(), new AtomicInteger(), new HealthTracker(), new BackendModels(), new BackendLoad(),
        clock);
  }

  private BackendState(Backend backend, AtomicInteger activeRequests, AtomicInteger queuedRequests,
      HealthTracker health, BackendModels models, BackendLoad load, Clock clock) {
    this.backend = backend;
    this.activeRequests = activeRequests;
    this.queuedRequests = queuedRequests;
    this.health = health;
    this.models = models;
    this.load = load;
    this.clock = clock;
    this.completionPins = backend.pinnedCompletionsProperties();
    this.embeddingPins = backend.pinnedEmbeddingsProperties();
  }

  /** Whether this OpenAI-format backend refused the {@code stream_options} the proxy adds to streams. */
  public boolean refusesStreamOptions() {
    return refusesStreamOptions;
  }

  public void refusesStreamOptions(boolean value) {
    refusesStreamOptions = value;
  }

  /** This backend's live state under a new configuration. */
  public BackendState withConfig(Backend changed) {
    if (changed.equals(backend)) return this;
    boolean sameServer = changed.baseUrl().equals(backend.baseUrl());
    return sameServer ? new BackendState(changed, activeRequests, queuedRequests, health, models, load, clock)
        : new BackendState(changed, activeRequests, queuedRequests, new HealthTracker(), new BackendModels(),
            new BackendLoad(), clock);
  }

  @Override
  public Backend backend() {
    return backend;
  }

  @Override
  public HealthStatus health() {
    return health.status();
  }

  /** The backend's pinned properties for this kind of request; empty if none. Read-only. */
  public ObjectNode pins(RequestKind kind) {
    return Pins.forKind(kind, completionPins, embeddingPins);
  }

  /** What the backend holds, as last discovered or seen on traffic. */
  public BackendModels models() {
    return models;
  }

  public HealthTracker tracker() {
    return health;
  }

  /** What this backend is measured to do. */
  public BackendLoad load() {
    return load;
  }

  @Override
  public int activeRequests() {
    return activeRequests.get();
  }

  @Override
  public int queuedRequests() {
    return queuedRequests.get();
  }

  /** A request starts waiting in the proxy's queue for this backend in particular; pair with {@link #leftQueue()}. */
  public void queuedHere() {
    queuedRequests.incrementAndGet();
  }

  /** A request counted by {@link #queuedHere()} stopped waiting. */
  public void leftQueue() {
    queuedRequests.decrementAndGet();
  }

  @Override
  public int concurrencyLimit() {
    return load.limit(backend.maxParallelRequests());
  }

  @Override
  public int externalLoad() {
    return load.externalLoad();
  }

  @Override
  public boolean hasLoaded(String model) {
    return models.inventory().loaded(ModelNames.canonical(model), clock.instant());
  }

  @Override
  public Set<String> loadedModels() {
    Instant now = clock.instant();
    Set<String> loaded = new HashSet<>();
    models.inventory().loadedUntil().forEach((model, until) -> {
      if (until.isAfter(now)) loaded.add(model);
    });
    return loaded;
  }

  @Override
  public Optional<String> evictedByLoad() {
    return models.evictedByLoad(clock.instant());
  }

  @Override
  public Duration loadingFor() {
    Instant now = clock.instant();
    return models.loadUnderWaySince(now)
        .map(since -> Duration.between(now, since.plus(load.typicalLoadTime())))
        .filter(left -> !left.isNegative())
        .orElse(Duration.ZERO);
  }

  @Override
  public Optional<Duration> measuredLoadTime() {
    return load.measuredLoadTime();
  }

  @Override
  public Duration typicalLoadTime() {
    return load.typicalLoadTime();
  }

  @Override
  public Duration typicalServiceTime() {
    return load.typicalServiceTime();
  }

  /**
   * Takes one of the backend's slots if this cluster has fewer requests in flight there than its
   * {@link #concurrencyLimit()}. Load reported from elsewhere does not count here: it steers the
   * choice of backend, but a request that must wait anyway may queue inside any backend.
   */
  public boolean tryAcquire() {
    int max = concurrencyLimit();
    while (true) {
      int active = activeRequests.get();
      if (active >= max) return false;
      if (activeRequests.compareAndSet(active, active + 1)) return true;
    }
  }

  /** Gives back a slot taken by {@link #tryAcquire()}. */
  public void release() {
    activeRequests.decrementAndGet();
  }

  @Override
  public String toString() {
    return backend.identifier() + "(" + health.status().state() + ", " + activeRequests.get() + " active)";
  }
}
