package io.ollamaflow.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/** A request rewritten for the backend's dialect: the method, path and JSON body to send. */
public final class TranslatedRequest {
  private final String method;
  private final String path;
  private final ObjectNode body;

  public TranslatedRequest(String method, String path, ObjectNode body) {
    this.method = Objects.requireNonNull(method, "method");
    this.path = Objects.requireNonNull(path, "path");
    this.body = body;
  }

  public String method() { return method; }
  /** Path on the backend, starting with {@code /}, without query. */
  public String path() { return path; }
  /** The body to send; null for a request without one. */
  public ObjectNode body() { return body; }
}
