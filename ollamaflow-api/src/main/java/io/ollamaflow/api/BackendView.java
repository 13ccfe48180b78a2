package io.ollamaflow.api;

/**
 * A read-only live view of one backend, handed to {@link LoadBalancer}s. The configuration is
 * fixed for the life of the view; {@link #health()} and {@link #activeRequests()} read live values.
 *
 * <p>Threading: implemented by core; safe to read from any thread without locking.
 */
public interface BackendView {
  Backend backend();

  HealthStatus health();

  /** Requests currently forwarded to this backend through this cluster, streams included. */
  int activeRequests();
}
