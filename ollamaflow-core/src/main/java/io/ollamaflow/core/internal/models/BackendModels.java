package io.ollamaflow.core.internal.models;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The live model inventory of one backend, shared by its successive configurations. Request
 * threads read it and mark models loaded when a request succeeds; discovery replaces it whole.
 *
 * <p>Threading: lock-free; any thread.
 */
public final class BackendModels {
  private final AtomicReference<ModelInventory> inventory = new AtomicReference<>(ModelInventory.UNKNOWN);

  public ModelInventory inventory() {
    return inventory.get();
  }

  public void replace(ModelInventory discovered) {
    inventory.set(discovered);
  }

  /** What the backend reports in memory now ({@code /api/ps}), in place of what was known. */
  public void replaceLoaded(Map<String, Instant> loadedUntil) {
    inventory.updateAndGet(i -> i.withLoadedOnly(loadedUntil));
  }

  /** A pull of this model finished here. */
  public void markInstalled(String canonicalName) {
    inventory.updateAndGet(i -> i.withInstalled(canonicalName, ""));
  }

  /** This model was deleted here. */
  public void markRemoved(String canonicalName) {
    inventory.updateAndGet(i -> i.without(canonicalName));
  }

  /** A request for this model just succeeded here, so the backend holds it and has it in memory. */
  public void markLoaded(String canonicalName, Instant until) {
    ModelInventory current = inventory.get();
    // Most requests find the model marked already; skip the write unless the mark is getting old.
    if (current.loaded(canonicalName, until.minusSeconds(30))) return;
    inventory.updateAndGet(i -> i.withLoaded(canonicalName, until));
  }
}
