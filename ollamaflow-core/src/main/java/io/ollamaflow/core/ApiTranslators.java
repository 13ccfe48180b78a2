package io.ollamaflow.core;

import io.ollamaflow.api.ApiTranslator;
import io.ollamaflow.core.internal.translation.OllamaToOpenAi;
import io.ollamaflow.core.internal.translation.OpenAiToOllama;

/**
 * The built-in translators between the Ollama and OpenAI dialects. They are always registered;
 * these factories name them in code (to wrap or test them). A translator given to
 * {@link FlowCluster.Builder#translator} or found by ServiceLoader for the same pair of dialects
 * replaces the built-in one.
 */
public final class ApiTranslators {
  private ApiTranslators() {}

  /** Clients speaking Ollama's API ({@code /api/*}), backends speaking OpenAI's (vLLM, llama.cpp, OpenAI). */
  public static ApiTranslator ollamaToOpenAi() {
    return new OllamaToOpenAi();
  }

  /** Clients speaking OpenAI's API ({@code /v1/*}), backends speaking Ollama's native API. */
  public static ApiTranslator openAiToOllama() {
    return new OpenAiToOllama();
  }
}
