package io.ollamaflow.core.inprocess;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A chat answer, or one chunk of a streamed answer: Ollama sends the same shape for both, a chunk
 * holding the next piece of text and the last one {@code done} with the statistics.
 */
public final class ChatResponse {
  private final ObjectNode raw;
  private final Message message;
  private final String backendId;
  private final String requestId;

  ChatResponse(ObjectNode raw, String backendId, String requestId) {
    this.raw = raw;
    this.message = Message.fromJson(raw.path("message"));
    this.backendId = backendId;
    this.requestId = requestId;
  }

  public String model() {
    return raw.path("model").asText("");
  }

  /** The assistant's message; in a stream chunk, the next piece of it. */
  public Message message() {
    return message;
  }

  /** {@code message().content()}. */
  public String content() {
    return message.content();
  }

  /** True for a whole answer and for the last chunk of a stream. */
  public boolean done() {
    return raw.path("done").asBoolean(false);
  }

  /** Why generation stopped ({@code stop}, {@code length}...); null until done. */
  public String doneReason() {
    return raw.path("done_reason").textValue();
  }

  /** Tokens generated, as the backend counted them; 0 until done. */
  public long evalCount() {
    return raw.path("eval_count").asLong(0);
  }

  /** The backend that answered (the proxy's {@code X-OllamaFlow-Backend}). */
  public String backendId() {
    return backendId;
  }

  /** The proxy's request id ({@code X-OllamaFlow-Request}), as in its logs and listener events. */
  public String requestId() {
    return requestId;
  }

  /** The JSON object as the backend sent it, with every field this type does not model; the caller's copy. */
  public ObjectNode raw() {
    return raw;
  }

  @Override
  public String toString() {
    return "ChatResponse{backend=" + backendId + ", done=" + done() + ", content=" + content() + "}";
  }
}
