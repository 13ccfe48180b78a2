package io.ollamaflow.core.internal.routing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ollamaflow.api.Backend;
import io.ollamaflow.api.BackendView;
import io.ollamaflow.api.HealthStatus;
import io.ollamaflow.api.RequestKind;
import io.ollamaflow.core.internal.health.HealthTracker;
import io.ollamaflow.core.internal.models.BackendModels;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One backend as the router sees it: fixed configuration plus live state (health and the
 * requests in flight). When the configuration changes a new state is made that shares the live
 * state, so requests still in flight on the old configuration keep being counted; a new address
 * means a different server, so its health and its models start over.
 */
public final class BackendState implements BackendView {
  private final Backend backend;
  private final AtomicInteger activeRequests;
  private final HealthTracker health;
  private final BackendModels models;
  private final ObjectNode completionPins;
  private final ObjectNode embeddingPins;

  public BackendState(Backend backend) {
    this(backend, new AtomicInteger(), new HealthTracker(), new BackendModels());
  }

  private BackendState(Backend backend, AtomicInteger activeRequests, HealthTracker health, BackendModels models) {
    this.backend = backend;
    this.activeRequests = activeRequests;
    this.health = health;
    this.models = models;
    this.completionPins = backend.pinnedCompletionsProperties();
    this.embeddingPins = backend.pinnedEmbeddingsProperties();
  }

  /** This backend's live state under a new configuration. */
  public BackendState withConfig(Backend changed) {
    if (changed.equals(backend)) return this;
    boolean sameServer = changed.baseUrl().equals(backend.baseUrl());
    return sameServer ? new BackendState(changed, activeRequests, health, models)
        : new BackendState(changed, activeRequests, new HealthTracker(), new BackendModels());
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

  @Override
  public int activeRequests() {
    return activeRequests.get();
  }

  /** True when a request may be sent now without exceeding {@code MaxParallelRequests}. */
  public boolean hasCapacity() {
    return activeRequests.get() < backend.maxParallelRequests();
  }

  /** Takes one of the backend's {@code MaxParallelRequests} slots if one is free. */
  public boolean tryAcquire() {
    int max = backend.maxParallelRequests();
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
