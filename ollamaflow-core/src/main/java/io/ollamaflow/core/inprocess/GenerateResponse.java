package io.ollamaflow.core.inprocess;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** A completion, or one chunk of a streamed completion (the same shape; see {@link ChatResponse}). */
public final class GenerateResponse {
  private final ObjectNode raw;
  private final String backendId;
  private final String requestId;

  GenerateResponse(ObjectNode raw, String backendId, String requestId) {
    this.raw = raw;
    this.backendId = backendId;
    this.requestId = requestId;
  }

  public String model() {
    return raw.path("model").asText("");
  }

  /** The generated text; in a stream chunk, the next piece of it. */
  public String response() {
    return raw.path("response").asText("");
  }

  public boolean done() {
    return raw.path("done").asBoolean(false);
  }

  /** Null until done. */
  public String doneReason() {
    return raw.path("done_reason").textValue();
  }

  public long evalCount() {
    return raw.path("eval_count").asLong(0);
  }

  public String backendId() {
    return backendId;
  }

  public String requestId() {
    return requestId;
  }

  /** The JSON object as the backend sent it; the caller's copy. */
  public ObjectNode raw() {
    return raw;
  }

  @Override
  public String toString() {
    return "GenerateResponse{backend=" + backendId + ", done=" + done() + ", response=" + response() + "}";
  }
}
