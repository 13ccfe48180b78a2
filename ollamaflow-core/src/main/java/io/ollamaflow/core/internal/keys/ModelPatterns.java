package io.ollamaflow.core.internal.keys;

import io.ollamaflow.core.internal.models.ModelNames;
import java.util.List;
import java.util.Locale;

/**
 * The models an API key may use: exact names, compared as Ollama compares them ({@code llama3} is
 * {@code llama3:latest}, case does not matter), or globs where {@code *} matches any run of
 * characters, tried against the name as sent and against its canonical form.
 */
public final class ModelPatterns {
  private ModelPatterns() {}

  /** Whether {@code model} is one of {@code patterns}; an empty list allows every model. */
  public static boolean allows(List<String> patterns, String model) {
    if (patterns.isEmpty()) return true;
    String canonical = ModelNames.canonical(model);
    String lower = model.trim().toLowerCase(Locale.ROOT);
    for (String pattern : patterns) {
      if (pattern.indexOf('*') < 0) {
        if (ModelNames.canonical(pattern).equals(canonical)) return true;
      } else {
        String glob = pattern.trim().toLowerCase(Locale.ROOT);
        if (globMatches(glob, lower) || globMatches(glob, canonical)) return true;
      }
    }
    return false;
  }

  private static boolean globMatches(String glob, String name) {
    String[] parts = glob.split("\\*", -1);
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
