package io.ollamaflow.core.internal.models;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What one backend was last seen to hold: installed models (canonical name to digest; empty
 * digest when the backend does not say) and loaded models (canonical name to when they unload).
 * Immutable; {@link #UNKNOWN} until discovery has answered once.
 */
public final class ModelInventory {
  public static final ModelInventory UNKNOWN = new ModelInventory(false, Map.of(), Map.of(), Map.of());

  private final boolean known;
  private final Map<String, String> installed;
  private final Map<String, Instant> loadedUntil;
  private final Map<String, String> servedNames;

  private ModelInventory(boolean known, Map<String, String> installed, Map<String, Instant> loadedUntil,
      Map<String, String> servedNames) {
    this.known = known;
    this.installed = Map.copyOf(installed);
    this.loadedUntil = Map.copyOf(loadedUntil);
    this.servedNames = Map.copyOf(servedNames);
  }

  /** @param installed canonical name to digest; @param loadedUntil canonical name to unload time */
  public static ModelInventory of(Map<String, String> installed, Map<String, Instant> loadedUntil) {
    return new ModelInventory(true, installed, loadedUntil, Map.of());
  }

  /**
   * An inventory of a server that takes model names only as it lists them (OpenAI-format servers:
   * vLLM refuses {@code llama3} for {@code llama3:latest}, where Ollama accepts both).
   *
   * @param servedNames canonical name to the name as the backend lists it
   */
  public static ModelInventory of(Map<String, String> installed, Map<String, Instant> loadedUntil,
      Map<String, String> servedNames) {
    return new ModelInventory(true, installed, loadedUntil, servedNames);
  }

  /** The name to send this backend for a model, when it must be spelt as listed; null when any spelling will do. */
  public String servedName(String canonicalName) {
    return servedNames.get(canonicalName);
  }

  /** False until the backend's models were listed once; an unknown backend may hold anything. */
  public boolean known() {
    return known;
  }

  public boolean has(String canonicalName) {
    return installed.containsKey(canonicalName);
  }

  /** True when the model is in the backend's memory now, so a request pays no load time. */
  public boolean loaded(String canonicalName, Instant now) {
    Instant until = loadedUntil.get(canonicalName);
    return until != null && until.isAfter(now);
  }

  public Map<String, String> installed() {
    return installed;
  }

  public Map<String, Instant> loadedUntil() {
    return loadedUntil;
  }

  /** This inventory with one more model installed (a pull just finished). */
  public ModelInventory withInstalled(String canonicalName, String digest) {
    Map<String, String> withModel = new HashMap<>(installed);
    withModel.put(canonicalName, digest);
    return new ModelInventory(true, withModel, loadedUntil, servedNames);
  }

  /** This inventory without a model (it was deleted). */
  public ModelInventory without(String canonicalName) {
    Map<String, String> rest = new HashMap<>(installed);
    rest.remove(canonicalName);
    Map<String, Instant> loaded = new HashMap<>(loadedUntil);
    loaded.remove(canonicalName);
    return new ModelInventory(known, rest, loaded, servedNames);
  }

  /** This inventory with exactly these models loaded (the backend reported them); installed ones unchanged. */
  public ModelInventory withLoadedOnly(Map<String, Instant> loaded) {
    if (!known) return this;
    Map<String, String> withModels = new HashMap<>(installed);
    for (String model : loaded.keySet()) withModels.putIfAbsent(model, "");
    return new ModelInventory(true, withModels, loaded, servedNames);
  }

  /**
   * The least recently used model in memory (the one that unloads soonest) when {@code capacity}
   * or more are in memory; empty otherwise.
   */
  public Optional<String> leastRecentlyUsed(Instant now, int capacity) {
    if (!known) return Optional.empty();
    String oldest = null;
    int resident = 0;
    for (Map.Entry<String, Instant> loaded : loadedUntil.entrySet()) {
      if (!loaded.getValue().isAfter(now)) continue;
      resident++;
      if (oldest == null || loaded.getValue().isBefore(loadedUntil.get(oldest))) oldest = loaded.getKey();
    }
    return resident >= capacity ? Optional.ofNullable(oldest) : Optional.empty();
  }

  /** This inventory with a model loading: in memory from now, after its least recently used ones make room. */
  public ModelInventory withLoading(String canonicalName, Instant until, Instant now, int capacity) {
    ModelInventory result = this;
    Optional<String> evicted;
    while ((evicted = result.leastRecentlyUsed(now, capacity)).isPresent()) {
      Map<String, Instant> rest = new HashMap<>(result.loadedUntil);
      rest.remove(evicted.get());
      result = new ModelInventory(known, installed, rest, servedNames);
    }
    return result.withLoaded(canonicalName, until);
  }

  /** This inventory with one model marked loaded until {@code until} (and installed, since it answered). */
  public ModelInventory withLoaded(String canonicalName, Instant until) {
    Map<String, Instant> loaded = new HashMap<>(loadedUntil);
    loaded.put(canonicalName, until);
    if (!known || installed.containsKey(canonicalName)) {
      return new ModelInventory(known, installed, loaded, servedNames);
    }
    Map<String, String> withModel = new HashMap<>(installed);
    withModel.put(canonicalName, "");
    return new ModelInventory(true, withModel, loaded, servedNames);
  }
}
