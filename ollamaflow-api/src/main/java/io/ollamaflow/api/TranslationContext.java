package io.ollamaflow.api;

/** The request an {@link ApiTranslator} is translating. */
public interface TranslationContext {
  RequestKind kind();

  /** The model the client named; null if none. */
  String model();

  /** True when the client asked for a streamed answer. */
  boolean stream();
}
