package io.ollamaflow.core.inprocess;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The embeddings of an {@link EmbedRequest}'s inputs, in the same order. */
public final class EmbedResponse extends Answer {
  private final List<float[]> embeddings;

  EmbedResponse(ObjectNode raw, String backendId, String requestId) {
    super(raw, backendId, requestId);
    List<float[]> vectors = new ArrayList<>();
    for (JsonNode vector : raw().path("embeddings")) {
      float[] v = new float[vector.size()];
      for (int i = 0; i < v.length; i++) v[i] = (float) vector.get(i).asDouble();
      vectors.add(v);
    }
    this.embeddings = Collections.unmodifiableList(vectors);
  }

  /** One vector per input. The arrays are the caller's to keep (not copied on each call). */
  public List<float[]> embeddings() {
    return embeddings;
  }

  @Override
  public String toString() {
    return "EmbedResponse{backend=" + backendId() + ", vectors=" + embeddings.size() + "}";
  }
}
