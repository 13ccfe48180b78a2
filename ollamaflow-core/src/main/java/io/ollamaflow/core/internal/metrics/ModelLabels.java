package io.ollamaflow.core.internal.metrics;

import io.ollamaflow.core.internal.models.ModelNames;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps the {@code model} label's values bounded: a model a request was refused for (not found,
 * malformed) is counted as {@link #OTHER}, and past {@link #MAX_MODELS} distinct names every new
 * one is too, so clients inventing names cannot grow the registry.
 *
 * <p>Threading: safe from request threads; the cap may be overshot by a few concurrent names.
 */
final class ModelLabels {
  /** The value for a refused model name, or one beyond the cap. */
  static final String OTHER = "other";
  /** The value when the request names no model (a listing, a version check). */
  static final String NONE = "none";
  static final int MAX_MODELS = 500;
  /** Longer names are counted as {@link #OTHER}; real ones are far shorter. */
  static final int MAX_LENGTH = 200;

  private final Set<String> seen = ConcurrentHashMap.newKeySet();
  /** Accepted spellings and their label, so a known name is not made canonical again per request. */
  private final Map<String, String> spellings = new ConcurrentHashMap<>();

  /**
   * @param model the model as the client named it (or the frontend pinned it); null for none
   * @param status the HTTP status answered; 400 and 404 mean the name may be invented
   */
  String of(String model, int status) {
    if (model == null) return NONE;
    if (status == 400 || status == 404 || model.length() > MAX_LENGTH) return OTHER;
    String known = spellings.get(model);
    if (known != null) return known;
    String canonical = ModelNames.canonical(model);
    if (!seen.contains(canonical)) {
      if (seen.size() >= MAX_MODELS) return OTHER;
      seen.add(canonical);
    }
    if (spellings.size() < MAX_MODELS) spellings.put(model, canonical);
    return canonical;
  }
}
