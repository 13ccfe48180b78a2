package io.ollamaflow.core.internal.cors;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The browser origins allowed to call the proxied routes, as Ollama decides it for
 * {@code OLLAMA_ORIGINS}: its default list (pages served from localhost, 127.0.0.1 or 0.0.0.0 on
 * any port, and the app, file, tauri and VS Code webview schemes) plus the configured patterns.
 * A pattern is an exact origin, {@code *} for any, or one {@code *} standing for any run of
 * characters ({@code https://*.example.com}). Origins compare ignoring case.
 *
 * <p>Immutable; safe from any thread.
 */
public final class AllowedOrigins {
  private static final List<String> OLLAMA_DEFAULTS = defaults();

  private final List<String> patterns;
  private final boolean any;

  private AllowedOrigins(List<String> patterns) {
    this.patterns = List.copyOf(patterns);
    this.any = patterns.contains("*");
  }

  /**
   * Ollama's defaults plus {@code extra}.
   *
   * @throws IllegalArgumentException naming a pattern that is blank or has more than one {@code *}
   */
  public static AllowedOrigins ollamaDefaultsPlus(List<String> extra) {
    List<String> patterns = new ArrayList<>(OLLAMA_DEFAULTS);
    for (String pattern : extra) {
      String p = pattern == null ? "" : pattern.trim().toLowerCase(Locale.ROOT);
      if (p.isEmpty() || p.indexOf('*') != p.lastIndexOf('*')) {
        throw new IllegalArgumentException("allowedOrigins: \"" + pattern
            + "\" (expected: an origin such as https://app.example.com, * for any, or one * as a wildcard)");
      }
      patterns.add(p);
    }
    return new AllowedOrigins(patterns);
  }

  /** True when every origin is allowed, so answers can say {@code Access-Control-Allow-Origin: *}. */
  public boolean any() {
    return any;
  }

  public boolean allows(String origin) {
    if (any) return true;
    String o = origin.trim().toLowerCase(Locale.ROOT);
    for (String pattern : patterns) {
      int star = pattern.indexOf('*');
      if (star < 0 ? o.equals(pattern)
          : o.length() >= pattern.length() - 1 && o.startsWith(pattern.substring(0, star))
              && o.endsWith(pattern.substring(star + 1))) {
        return true;
      }
    }
    return false;
  }

  private static List<String> defaults() {
    List<String> origins = new ArrayList<>();
    for (String host : List.of("localhost", "127.0.0.1", "0.0.0.0")) {
      for (String scheme : List.of("http", "https")) {
        origins.add(scheme + "://" + host);
        origins.add(scheme + "://" + host + ":*");
      }
    }
    origins.addAll(List.of("app://*", "file://*", "tauri://*", "vscode-webview://*", "vscode-file://*"));
    return List.copyOf(origins);
  }
}
