package io.ollamaflow.core.internal.translation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ollamaflow.api.ApiFormat;
import io.ollamaflow.api.ErrorCode;
import io.ollamaflow.api.FlowException;
import io.ollamaflow.api.RequestKind;

/** Whether a client asked for a streamed answer, by its dialect's rules. */
public final class ClientStreams {
  private ClientStreams() {}

  /**
   * {@code stream} when the client sent a boolean; otherwise (absent or null) the dialect's default:
   * Ollama streams chat and generate unless told not to, OpenAI streams nothing unless asked.
   *
   * @throws FlowException 400 when {@code stream} is of another type
   */
  public static boolean requested(ApiFormat clientDialect, RequestKind kind, ObjectNode body) {
    JsonNode stream = body == null ? null : body.get("stream");
    if (stream != null && stream.isBoolean()) return stream.booleanValue();
    if (stream != null && !stream.isNull()) {
      throw new FlowException(ErrorCode.BAD_REQUEST, "stream: expected a boolean, got " + stream);
    }
    return ApiFormat.OLLAMA.equals(clientDialect) && kind.isCompletion();
  }
}
