package io.ollamaflow.core.internal.models;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The live model inventory of one backend, shared by its successive configurations. Request
 * threads read it and mark models loaded when a request succeeds; discovery replaces it whole.
 *
 * <p>Threading: lock-free; any thread.
 */
public final class BackendModels {
  private final AtomicReference<ModelInventory> inventory = new AtomicReference<>(ModelInventory.UNKNOWN);
  /** The most models the backend's own listings ever showed in memory at once. */
  private final AtomicInteger mostResident = new AtomicInteger();
  /** The load last sent here, until a listing shows it done or it is too old to be under way. */
  private final AtomicReference<PendingLoad> pending = new AtomicReference<>();

  private record PendingLoad(String model, Instant until, Instant sentAt) {}

  /** A load not yet shown by a listing counts as under way for this long after it was sent. */
  private static final Duration PENDING_FOR = Duration.ofSeconds(30);

  public ModelInventory inventory() {
    return inventory.get();
  }

  public void replace(ModelInventory discovered, Instant now) {
    mostResident.accumulateAndGet(discovered.loadedUntil().size(), Math::max);
    inventory.set(withPending(discovered, now));
  }

  /** What the backend reports in memory now ({@code /api/ps}), in place of what was known. */
  public void replaceLoaded(Map<String, Instant> loadedUntil, Instant now) {
    mostResident.accumulateAndGet(loadedUntil.size(), Math::max);
    inventory.updateAndGet(i -> withPending(i.withLoadedOnly(loadedUntil), now));
  }

  /**
   * A listing taken while a load sent here is still under way does not show it yet (nor the model
   * it unloads): the load is applied again over the listing, until a listing shows it or it is
   * older than any load takes.
   */
  private ModelInventory withPending(ModelInventory listed, Instant now) {
    PendingLoad load = pending.get();
    if (load == null) return listed;
    if (listed.loaded(load.model(), now) || load.sentAt().plus(PENDING_FOR).isBefore(now)) {
      pending.compareAndSet(load, null);
      return listed;
    }
    return listed.withLoading(load.model(), load.until(), now, residentCapacity());
  }

  /**
   * How many models the backend holds in memory at once, as far as seen: the most its listings
   * ever showed, at least 1. A server with room for more shows it as soon as it holds more.
   */
  public int residentCapacity() {
    return Math.max(1, mostResident.get());
  }

  /**
   * The model a load of another one would unload first here: the least recently used in memory,
   * when the backend already holds as many as it was ever seen holding; empty when a load would
   * unload nothing (or the models in memory are unknown).
   */
  public Optional<String> evictedByLoad(Instant now) {
    return inventory.get().leastRecentlyUsed(now, residentCapacity());
  }

  /**
   * When the load last sent here started, while no answer or listing has shown it done; empty
   * otherwise.
   */
  public Optional<Instant> loadUnderWaySince(Instant now) {
    PendingLoad load = pending.get();
    if (load == null || load.sentAt().plus(PENDING_FOR).isBefore(now)) return Optional.empty();
    return Optional.of(load.sentAt());
  }

  /** A request that loaded this model here was answered: the load is done. */
  public void loadDone(String canonicalName) {
    pending.updateAndGet(load -> load != null && load.model().equals(canonicalName) ? null : load);
  }

  /**
   * A request for a model not in memory was just sent here: the model is loading, and where the
   * backend is full its least recently used model makes room, as Ollama's scheduler does.
   * Requests that follow see both at once, instead of the old model until the next listing.
   */
  public void markLoading(String canonicalName, Instant until, Instant now) {
    pending.set(new PendingLoad(canonicalName, until, now));
    inventory.updateAndGet(i -> i.withLoading(canonicalName, until, now, residentCapacity()));
  }

  /** A pull of this model finished here. */
  public void markInstalled(String canonicalName) {
    inventory.updateAndGet(i -> i.withInstalled(canonicalName, ""));
  }

  /** This model was deleted here. */
  public void markRemoved(String canonicalName) {
    inventory.updateAndGet(i -> i.without(canonicalName));
  }

  /**
   * A request for this model was answered here: it stays in memory for another keep-alive from
   * now, if it is still counted in memory. An answer only shows the model was in memory when the
   * request was sent; a load sent here since may have unloaded it (the backend unloads it once its
   * requests finish), so an answer never puts back a model that load took out.
   */
  public void markAnswered(String canonicalName, Instant until, Instant now) {
    ModelInventory current = inventory.get();
    if (!current.loaded(canonicalName, now) || current.loaded(canonicalName, until.minusSeconds(30))) return;
    inventory.updateAndGet(i -> i.loaded(canonicalName, now) ? i.withLoaded(canonicalName, until) : i);
  }

  /** A request for this model just succeeded here, so the backend holds it and has it in memory. */
  public void markLoaded(String canonicalName, Instant until) {
    ModelInventory current = inventory.get();
    // Most requests find the model marked already; skip the write unless the mark is getting old.
    if (current.loaded(canonicalName, until.minusSeconds(30))) return;
    inventory.updateAndGet(i -> i.withLoaded(canonicalName, until));
  }
}
