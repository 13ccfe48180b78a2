package io.ollamaflow.core.internal.proxy;

/** Compares version strings such as {@code 0.12.6} or {@code 0.13.0-rc1} by their numeric parts. */
final class Versions {
  private Versions() {}

  static int compare(String a, String b) {
    String[] x = a.split("[.-]");
    String[] y = b.split("[.-]");
    for (int i = 0; i < Math.max(x.length, y.length); i++) {
      int cmp = Long.compare(number(x, i), number(y, i));
      if (cmp != 0) return cmp;
    }
    return 0;
  }

  private static long number(String[] parts, int i) {
    if (i >= parts.length) return 0;
    String digits = parts[i].replaceAll("\\D.*", "");
    return digits.isEmpty() ? 0 : Long.parseLong(digits);
  }
}
