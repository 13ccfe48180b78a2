package io.ollamaflow.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Objects;

/**
 * A request rewritten for the backend's dialect: the method, path and JSON body to send, and the
 * client's fields the translator dropped because the backend's dialect has no use for them (the
 * client learns their names from the {@code X-OllamaFlow-Dropped-Fields} answer header).
 */
public final class TranslatedRequest {
  private final String method;
  private final String path;
  private final ObjectNode body;
  private final List<String> droppedFields;

  public TranslatedRequest(String method, String path, ObjectNode body) {
    this(method, path, body, List.of());
  }

  public TranslatedRequest(String method, String path, ObjectNode body, List<String> droppedFields) {
    this.method = Objects.requireNonNull(method, "method");
    this.path = Objects.requireNonNull(path, "path");
    this.body = body;
    this.droppedFields = List.copyOf(droppedFields);
  }

  public String method() { return method; }
  /** Path on the backend, starting with {@code /}, without query. */
  public String path() { return path; }
  /** The body to send; null for a request without one. */
  public ObjectNode body() { return body; }
  /** Top-level client fields left out of the translation, in the client's order; empty for most requests. */
  public List<String> droppedFields() { return droppedFields; }
}
