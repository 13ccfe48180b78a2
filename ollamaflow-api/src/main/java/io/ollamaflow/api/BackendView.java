package io.ollamaflow.api;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * A read-only live view of one backend, handed to {@link LoadBalancer}s. The configuration is
 * fixed for the life of the view; every other method reads live values, measured by core from the
 * backend's answers and from what the backend itself reports (Ollama {@code /api/ps}, vLLM and
 * llama.cpp {@code /metrics}, llama.cpp {@code /slots}).
 *
 * <p>Threading: implemented by core; safe to read from any thread without locking.
 */
public interface BackendView {
  Backend backend();

  HealthStatus health();

  /** Requests currently forwarded to this backend through this cluster, streams included. */
  int activeRequests();

  /**
   * Requests this cluster holds in its queue waiting for a slot on this backend in particular
   * (a policy chose to wait for it); 0 for requests that wait for any backend.
   */
  default int queuedRequests() {
    return 0;
  }

  /**
   * How many requests this backend serves at once without queueing them inside, as learned from
   * its answers and reports; never above {@link Backend#maxParallelRequests()}, which stays the
   * hard ceiling. Requests beyond it wait in the proxy, where any backend may take them.
   */
  default int concurrencyLimit() {
    return backend().maxParallelRequests();
  }

  /**
   * Requests the backend last reported running or waiting that this cluster did not send (other
   * proxy instances, direct users); 0 when the backend reports nothing.
   */
  default int externalLoad() {
    return 0;
  }

  /** True when a request could start on this backend now: load below {@link #concurrencyLimit()}. */
  default boolean hasFreeSlot() {
    return activeRequests() + externalLoad() < concurrencyLimit();
  }

  /**
   * True when this backend holds the model in memory now, as last listed or seen on traffic;
   * false when unknown.
   *
   * @param model a model name as the client wrote it (tags and case are normalised)
   */
  default boolean hasLoaded(String model) {
    return false;
  }

  /**
   * The models in memory now, as last listed or seen on traffic, by canonical name (lower case,
   * with a tag: {@code llama3:latest}); empty when unknown.
   */
  default Set<String> loadedModels() {
    return Set.of();
  }

  /**
   * The model a load of another one would unload first here (the least recently used in memory),
   * when the backend already holds as many models as it was ever seen holding; empty when a load
   * would unload nothing, or when that is unknown.
   */
  default Optional<String> evictedByLoad() {
    return Optional.empty();
  }

  /**
   * How long a model load sent to this backend and not yet done is still expected to take, by its
   * typical load time; zero when none is under way. Another load there waits for it.
   */
  default Duration loadingFor() {
    return Duration.ZERO;
  }

  /** The time this backend took to load a model into memory, measured; empty until a cold load was seen there. */
  default Optional<Duration> measuredLoadTime() {
    return Optional.empty();
  }

  /** The typical time this backend took to load a model into memory, measured; a default guess until seen. */
  default Duration typicalLoadTime() {
    return Duration.ofSeconds(5);
  }

  /** The typical time this backend took to answer a request once started, measured; a default guess until seen. */
  default Duration typicalServiceTime() {
    return Duration.ofSeconds(1);
  }
}
