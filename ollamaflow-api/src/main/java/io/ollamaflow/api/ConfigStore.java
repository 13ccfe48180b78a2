package io.ollamaflow.api;

import java.util.List;
import java.util.Optional;

/**
 * Where frontends and backends are kept. The cluster reads the whole configuration at start and
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
