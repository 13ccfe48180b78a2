package io.ollamaflow.core.internal.keys;

import io.ollamaflow.core.internal.models.ModelNames;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The models an API key may use: exact names, compared as Ollama compares them ({@code llama3} is
 * {@code llama3:latest}, case does not matter), or globs where {@code *} matches any run of
 * characters, tried against the name as sent and against its canonical form. Compiled once per
 * key when the key index is built, so a request only canonicalises its own model name.
 *
 * <p>Immutable; thread-safe.
 */
public final class ModelPatterns {
  /** Canonical forms of the exact names. */
  private final Set<String> exact;
  /** Each glob lower-cased and split at its stars: a match starts with the first part, ends with the last. */
  private final List<String[]> globs;

  private ModelPatterns(Set<String> exact, List<String[]> globs) {
    this.exact = exact;
    this.globs = globs;
  }

  /** The compiled form of a key's {@code Models}; an empty list allows every model. */
  public static ModelPatterns of(List<String> patterns) {
    Set<String> exact = new HashSet<>();
    List<String[]> globs = new ArrayList<>();
    for (String pattern : patterns) {
      if (pattern.indexOf('*') < 0) exact.add(ModelNames.canonical(pattern));
      else globs.add(pattern.trim().toLowerCase(Locale.ROOT).split("\\*", -1));
    }
    return new ModelPatterns(Set.copyOf(exact), List.copyOf(globs));
  }

  /** Whether {@code model} is one of the patterns; none allows every model. */
  public boolean allows(String model) {
    if (exact.isEmpty() && globs.isEmpty()) return true;
    String canonical = ModelNames.canonical(model);
    if (exact.contains(canonical)) return true;
    if (globs.isEmpty()) return false;
    String lower = model.trim().toLowerCase(Locale.ROOT);
    for (String[] glob : globs) {
      if (globMatches(glob, lower) || globMatches(glob, canonical)) return true;
    }
    return false;
  }

  private static boolean globMatches(String[] parts, String name) {
    if (!name.startsWith(parts[0])) return false;
    int position = parts[0].length();
    for (int i = 1; i < parts.length - 1; i++) {
      int at = name.indexOf(parts[i], position);
      if (at < 0) return false;
      position = at + parts[i].length();
    }
    String last = parts[parts.length - 1];
    return name.length() - last.length() >= position && name.endsWith(last);
  }
}
