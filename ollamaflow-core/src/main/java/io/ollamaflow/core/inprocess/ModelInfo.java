package io.ollamaflow.core.inprocess;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** A model one of the frontend's healthy backends holds, as listed by {@code /api/tags}. */
public final class ModelInfo {
  private final ObjectNode raw;

  ModelInfo(ObjectNode raw) {
    this.raw = raw;
  }

  /** The name to ask for, e.g. {@code llama3.2:latest}. */
  public String name() {
    return raw.path("name").asText(raw.path("model").asText(""));
  }

  /** Null if the backend did not say. */
  public String digest() {
    return raw.path("digest").textValue();
  }

  /** Bytes on disk; 0 if the backend did not say. */
  public long size() {
    return raw.path("size").asLong(0);
  }

  /** ISO-8601 as the backend wrote it; null if it did not say. */
  public String modifiedAt() {
    return raw.path("modified_at").textValue();
  }

  /** Every field as the backend sent it ({@code details}, ...). */
  public ObjectNode raw() {
    return raw;
  }

  @Override
  public String toString() {
    return name();
  }
}
