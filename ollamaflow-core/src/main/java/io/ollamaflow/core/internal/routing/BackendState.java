package io.ollamaflow.core.internal.routing;

import io.ollamaflow.api.Backend;
import io.ollamaflow.api.BackendView;
import io.ollamaflow.api.HealthStatus;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One backend as the router sees it: fixed configuration plus live counters. When the backend's
 * configuration changes a new state is made that shares the counter, so requests still in flight
 * on the old configuration keep being counted.
 */
public final class BackendState implements BackendView {
  private final Backend backend;
  private final AtomicInteger activeRequests;

  public BackendState(Backend backend) {
    this(backend, new AtomicInteger());
  }

  private BackendState(Backend backend, AtomicInteger activeRequests) {
    this.backend = backend;
    this.activeRequests = activeRequests;
  }

  /** This backend's live counters under a new configuration. */
  public BackendState withConfig(Backend changed) {
    return changed.equals(backend) ? this : new BackendState(changed, activeRequests);
  }

  @Override
  public Backend backend() {
    return backend;
  }

  @Override
  public HealthStatus health() {
    // Active health checking arrives with the health issue; until then every active backend is routable.
    return HealthStatus.unknown();
  }

  @Override
  public int activeRequests() {
    return activeRequests.get();
  }

  public void requestStarted() {
    activeRequests.incrementAndGet();
  }

  public void requestEnded() {
    activeRequests.decrementAndGet();
  }
}
