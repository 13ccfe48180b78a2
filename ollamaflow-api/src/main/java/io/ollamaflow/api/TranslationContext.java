package io.ollamaflow.api;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The request an {@link ApiTranslator} is translating, as core understood it before translation.
 *
 * <p>Threading: immutable for the translator's purposes; may be read from any thread.
 */
public interface TranslationContext {
  RequestKind kind();

  /** The path the client called, such as {@code /api/embeddings}: tells apart routes of one kind. */
  String clientPath();

  /**
   * The model to name to the backend: what the client named, or the target of its alias, or the
   * frontend's pinned model. Null when the route names none (listings).
   */
  String model();

  /**
   * True when the client asked for a streamed answer, with the client dialect's default applied
   * ({@code stream} absent means true on Ollama's chat and generate, false on OpenAI routes).
   */
  boolean stream();

  /** The client's request body as parsed; null for requests without one. Must not be modified. */
  ObjectNode clientRequest();

  /** Nanoseconds since the proxy received the request, for Ollama's duration fields. */
  long elapsedNanos();
}
