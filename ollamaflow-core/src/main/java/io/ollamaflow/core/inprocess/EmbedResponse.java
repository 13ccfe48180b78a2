package io.ollamaflow.core.inprocess;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The embeddings of an {@link EmbedRequest}'s inputs, in the same order. */
public final class EmbedResponse {
  private final ObjectNode raw;
  private final List<float[]> embeddings;
  private final String backendId;
  private final String requestId;

  EmbedResponse(ObjectNode raw, String backendId, String requestId) {
    this.raw = raw;
    List<float[]> vectors = new ArrayList<>();
    for (JsonNode vector : raw.path("embeddings")) {
      float[] v = new float[vector.size()];
      for (int i = 0; i < v.length; i++) v[i] = (float) vector.get(i).asDouble();
      vectors.add(v);
    }
    this.embeddings = Collections.unmodifiableList(vectors);
    this.backendId = backendId;
    this.requestId = requestId;
  }

  public String model() {
    return raw.path("model").asText("");
  }

  /** One vector per input. The arrays are the caller's to keep (not copied on each call). */
  public List<float[]> embeddings() {
    return embeddings;
  }

  public String backendId() {
    return backendId;
  }

  public String requestId() {
    return requestId;
  }

  public ObjectNode raw() {
    return raw;
  }

  @Override
  public String toString() {
    return "EmbedResponse{backend=" + backendId + ", vectors=" + embeddings.size() + "}";
  }
}
