package io.ollamaflow.core.internal.translation;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ollamaflow.api.ApiFormat;
import io.ollamaflow.api.ApiTranslator;
import io.ollamaflow.api.RequestKind;
import io.ollamaflow.api.StreamTranslator;
import io.ollamaflow.api.TranslatedRequest;
import io.ollamaflow.api.TranslationContext;

/** Clients speaking the OpenAI API, backends speaking the Ollama API. (Skeleton: being written.) */
public final class OpenAiToOllama implements ApiTranslator {
  @Override public ApiFormat from() { return ApiFormat.OPENAI; }
  @Override public ApiFormat to() { return ApiFormat.OLLAMA; }

  @Override
  public boolean supports(RequestKind kind) {
    return false;
  }

  @Override
  public TranslatedRequest translateRequest(TranslationContext context, ObjectNode clientBody) {
    throw new UnsupportedOperationException("being written");
  }

  @Override
  public ObjectNode translateResponse(TranslationContext context, ObjectNode backendBody) {
    throw new UnsupportedOperationException("being written");
  }

  @Override
  public StreamTranslator newStreamTranslator(TranslationContext context) {
    throw new UnsupportedOperationException("being written");
  }
}
