package io.ollamaflow.core.internal.models;

import java.util.Locale;

/**
 * Model names compared the way Ollama compares them: case-insensitive, {@code llama3} meaning
 * {@code llama3:latest}, and the default registry and namespace optional
 * ({@code registry.ollama.ai/library/llama3} is {@code llama3}).
 */
public final class ModelNames {
  private static final String DEFAULT_REGISTRY = "registry.ollama.ai/";
  private static final String DEFAULT_NAMESPACE = "library/";

  private ModelNames() {}

  /** The canonical key of a model name; equal keys name the same model. */
  public static String canonical(String name) {
    String n = name.trim().toLowerCase(Locale.ROOT);
    if (n.startsWith(DEFAULT_REGISTRY)) n = n.substring(DEFAULT_REGISTRY.length());
    if (n.startsWith(DEFAULT_NAMESPACE)) n = n.substring(DEFAULT_NAMESPACE.length());
    int slash = n.lastIndexOf('/');
    return n.indexOf(':', slash + 1) < 0 ? n + ":latest" : n;
  }
}
