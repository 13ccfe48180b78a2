package io.ollamaflow.api;

import java.util.Locale;
import java.util.Objects;

/**
 * The API dialect a backend speaks or a client request uses.
 *
 * <p>A value class rather than an enum so that a plug-in translator can introduce a third dialect.
 * Two formats are equal when their names are equal ignoring case; {@link #name()} keeps the
 * spelling OllamaFlow uses ({@code Ollama}, {@code OpenAI}).
 */
public final class ApiFormat {
  /** Ollama's native API: {@code /api/*}, NDJSON streams. Ollama servers also serve {@code /v1/*}. */
  public static final ApiFormat OLLAMA = new ApiFormat("Ollama");
  /** The OpenAI-compatible API: {@code /v1/*}, SSE streams (vLLM, llama.cpp, OpenAI). */
  public static final ApiFormat OPENAI = new ApiFormat("OpenAI");

  private final String name;

  private ApiFormat(String name) {
    this.name = name;
  }

  /**
   * Returns the format with this name, ignoring case; the built-in constants for their names.
   *
   * @throws IllegalArgumentException if the name is blank
   */
  public static ApiFormat of(String name) {
    Objects.requireNonNull(name, "name");
    String trimmed = name.trim();
    if (trimmed.isEmpty()) {
      throw new IllegalArgumentException("apiFormat: \"" + name + "\" (expected: Ollama, OpenAI or a plug-in format name)");
    }
    if (trimmed.equalsIgnoreCase(OLLAMA.name)) return OLLAMA;
    if (trimmed.equalsIgnoreCase(OPENAI.name)) return OPENAI;
    return new ApiFormat(trimmed);
  }

  public String name() {
    return name;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ApiFormat && ((ApiFormat) o).name.equalsIgnoreCase(name);
  }

  @Override
  public int hashCode() {
    return name.toLowerCase(Locale.ROOT).hashCode();
  }

  @Override
  public String toString() {
    return name;
  }
}
