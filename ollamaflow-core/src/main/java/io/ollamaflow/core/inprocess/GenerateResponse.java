package io.ollamaflow.core.inprocess;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** A completion, or one chunk of a streamed completion (the same shape; see {@link ChatResponse}). */
public final class GenerateResponse extends Answer {
  GenerateResponse(ObjectNode raw, String backendId, String requestId) {
    super(raw, backendId, requestId);
  }

  /** The generated text; in a stream chunk, the next piece of it. */
  public String response() {
    return raw().path("response").asText("");
  }

  public boolean done() {
    return raw().path("done").asBoolean(false);
  }

  /** Null until done. */
  public String doneReason() {
    return raw().path("done_reason").textValue();
  }

  public long evalCount() {
    return raw().path("eval_count").asLong(0);
  }

  @Override
  public String toString() {
    return "GenerateResponse{backend=" + backendId() + ", done=" + done() + ", response=" + response() + "}";
  }
}
