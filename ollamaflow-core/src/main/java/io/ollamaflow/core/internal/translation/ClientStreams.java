package io.ollamaflow.core.internal.translation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ollamaflow.api.ApiFormat;
import io.ollamaflow.api.RequestKind;

/** Whether a client asked for a streamed answer, by its dialect's rules. */
public final class ClientStreams {
  private ClientStreams() {}

  /**
   * {@code stream} when the client sent a boolean; otherwise the dialect's default: Ollama streams
   * chat and generate unless told not to, OpenAI streams nothing unless asked.
   */
  public static boolean requested(ApiFormat clientDialect, RequestKind kind, ObjectNode body) {
    JsonNode stream = body == null ? null : body.get("stream");
    if (stream != null && stream.isBoolean()) return stream.booleanValue();
    return ApiFormat.OLLAMA.equals(clientDialect) && kind.isCompletion();
  }
}
