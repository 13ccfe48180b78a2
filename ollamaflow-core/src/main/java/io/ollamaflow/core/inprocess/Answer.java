package io.ollamaflow.core.inprocess;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** What every in-process answer carries: the backend's JSON, which backend sent it, and the request id. */
public abstract class Answer {
  private final ObjectNode raw;
  private final String backendId;
  private final String requestId;

  Answer(ObjectNode raw, String backendId, String requestId) {
    this.raw = raw;
    this.backendId = backendId;
    this.requestId = requestId;
  }

  /** The model as the backend named it in its answer. */
  public String model() {
    return raw.path("model").asText("");
  }

  /** The backend that answered (the proxy's {@code X-OllamaFlow-Backend}). */
  public String backendId() {
    return backendId;
  }

  /** The proxy's request id ({@code X-OllamaFlow-Request}), as in its logs and listener events. */
  public String requestId() {
    return requestId;
  }

  /** The JSON object as the backend sent it, with every field the typed answer does not model; the caller's copy. */
  public ObjectNode raw() {
    return raw;
  }
}
