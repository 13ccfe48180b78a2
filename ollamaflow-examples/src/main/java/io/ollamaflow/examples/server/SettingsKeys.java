package io.ollamaflow.examples.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Locale;

/**
 * The keys one object of {@code ollamaflow.json} may hold: those the server honours and those it
 * accepts and ignores (each listed in the README). Every section reader declares its own and
 * checks its object here, so no key is ever dropped silently: the first key that is neither is
 * refused by its full path, with the known key it most likely misspells. Names match ignoring
 * case, as OllamaFlow reads them.
 */
record SettingsKeys(List<String> known) {
  /** Edits (insert, delete, change a letter) a name may be from a known one to be offered as "did you mean". */
  private static final int NEAR_MISS_EDITS = 2;

  static SettingsKeys of(String... known) {
    return new SettingsKeys(List.of(known));
  }

  /**
   * @param path the object's own path ({@code Webserver.Ssl}); empty for the top level
   * @throws IllegalArgumentException naming {@code path.Key} for the first key not known here, or
   *     {@code path} when it is not an object
   */
  void check(JsonNode object, String path) {
    if (!object.isObject()) {
      throw new IllegalArgumentException((path.isEmpty() ? "the settings" : path) + ": " + object + " (expected: an object)");
    }
    for (var entry : object.properties()) {
      String key = entry.getKey();
      if (known.stream().anyMatch(key::equalsIgnoreCase)) continue;
      String nearest = nearest(key);
      throw new IllegalArgumentException((path.isEmpty() ? "" : path + ".") + key
          + ": not a setting this server honours (" + (nearest == null ? "" : "did you mean " + nearest + "? ")
          + "known: " + String.join(", ", known) + ")");
    }
  }

  /** The known key fewest edits from {@code key}, if it is within {@link #NEAR_MISS_EDITS}; else null. */
  private String nearest(String key) {
    String best = null;
    int bestEdits = NEAR_MISS_EDITS + 1;
    for (String name : known) {
      int edits = edits(key.toLowerCase(Locale.ROOT), name.toLowerCase(Locale.ROOT));
      if (edits < bestEdits && edits < name.length() / 2) {
        best = name;
        bestEdits = edits;
      }
    }
    return best;
  }

  /** Levenshtein distance: single-letter insertions, deletions and changes turning {@code a} into {@code b}. */
  private static int edits(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) previous[j] = j;
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int change = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(change, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
