package io.ollamaflow.core.inprocess;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A chat answer, or one chunk of a streamed answer: Ollama sends the same shape for both, a chunk
 * holding the next piece of text and the last one {@code done} with the statistics.
 */
public final class ChatResponse extends Answer {
  private final Message message;

  ChatResponse(ObjectNode raw, String backendId, String requestId) {
    super(raw, backendId, requestId);
    this.message = Message.fromJson(raw().path("message"));
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
    return raw().path("done").asBoolean(false);
  }

  /** Why generation stopped ({@code stop}, {@code length}...); null until done. */
  public String doneReason() {
    return raw().path("done_reason").textValue();
  }

  /** Tokens generated, as the backend counted them; 0 until done. */
  public long evalCount() {
    return raw().path("eval_count").asLong(0);
  }

  @Override
  public String toString() {
    return "ChatResponse{backend=" + backendId() + ", done=" + done() + ", content=" + content() + "}";
  }
}
