package io.ollamaflow.api;

import java.util.List;
import java.util.Optional;

/**
 * Where frontends, backends and API keys are kept. The cluster reads the whole configuration at start and
 * again whenever {@link #revision()} changes, so several cluster instances may share one store
 * and see each other's edits.
 *
 * <p>Threading: must be thread-safe; every method may block (disk, network). Core never calls a
 * store on a request thread: reads happen on the cluster's update thread, writes on the thread of
 * the admin call that asked for them. A write returns only once it is durable for that store.
 * Stores do not validate references between objects; {@code FlowAdmin} does.
 */
public interface ConfigStore extends AutoCloseable {
  /** All frontends, ordered by identifier. */
  List<Frontend> frontends();

  Optional<Frontend> frontend(String identifier);

  /** Creates or replaces the frontend with this identifier. */
  void putFrontend(Frontend frontend);

  /** @return false if there was no such frontend */
  boolean removeFrontend(String identifier);

  /** All backends, ordered by identifier. */
  List<Backend> backends();

  Optional<Backend> backend(String identifier);

  /** Creates or replaces the backend with this identifier. */
  void putBackend(Backend backend);

  /** @return false if there was no such backend */
  boolean removeBackend(String identifier);

  /**
   * All API keys, ordered by identifier. Stores written before API keys existed keep none: the
   * default returns an empty list, and the writes below refuse.
   */
  default List<ApiKey> apiKeys() {
    return List.of();
  }

  default Optional<ApiKey> apiKey(String identifier) {
    return apiKeys().stream().filter(k -> k.identifier().equals(identifier)).findFirst();
  }

  /**
   * Creates or replaces the API key with this identifier; changes the {@link #revision()}.
   *
   * @throws UnsupportedOperationException from stores that do not keep API keys (the default)
   */
  default void putApiKey(ApiKey key) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " does not keep API keys");
  }

  /**
   * Removes the key and its usage; changes the {@link #revision()}.
   *
   * @return false if there was no such key
   * @throws UnsupportedOperationException from stores that do not keep API keys (the default)
   */
  default boolean removeApiKey(String identifier) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " does not keep API keys");
  }

  /**
   * Adds increments to the stored usage totals, one transaction for the batch. Usage of keys that
   * no longer exist is dropped. Does not change the {@link #revision()}: usage is not
   * configuration, and clusters must not reload because of it.
   *
   * @throws UnsupportedOperationException from stores that do not keep API keys (the default)
   */
  default void addApiKeyUsage(java.util.Collection<ApiKeyUsage> increments) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " does not keep API keys");
  }

  /** Stored usage totals of every key that has any, ordered by identifier. */
  default List<ApiKeyUsage> apiKeyUsage() {
    return List.of();
  }

  /**
   * A number that changes after every successful write by any writer of this store, this process
   * or another. Cheap to call: the cluster polls it about once a second.
   */
  long revision();

  /**
   * Asks to be told soon after the store learns that its revision changed (on a thread of the
   * store's, or on the thread of the write that changed it), so that a cluster can reload at once
   * instead of at its next poll of {@link #revision()}. A hint only: polling stays the contract,
   * and the listener must be quick and must not throw. The default, for stores that learn of
   * changes only when asked, never calls.
   *
   * @return closing it stops the calls
   */
  default Subscription onChange(Runnable listener) {
    return () -> {};
  }

  /** Ends an {@link #onChange} registration; idempotent. */
  @FunctionalInterface
  interface Subscription extends AutoCloseable {
    @Override
    void close();
  }

  @Override
  void close();
}
