package io.ollamaflow.core.internal.routing;

import io.ollamaflow.api.ApiFormat;
import io.ollamaflow.api.RequestKind;
import java.util.Set;

/** Every path the proxy serves, with its dialect, kind, allowed methods and where the model is named. */
public enum ApiEndpoint {
  ROOT("/", ApiFormat.OLLAMA, RequestKind.ROOT, Set.of("GET", "HEAD"), null),
  VERSION("/api/version", ApiFormat.OLLAMA, RequestKind.VERSION, Set.of("GET", "HEAD"), null),
  TAGS("/api/tags", ApiFormat.OLLAMA, RequestKind.LIST_MODELS, Set.of("GET", "HEAD"), null),
  PS("/api/ps", ApiFormat.OLLAMA, RequestKind.LIST_RUNNING, Set.of("GET"), null),
  SHOW("/api/show", ApiFormat.OLLAMA, RequestKind.SHOW_MODEL, Set.of("POST"), ModelField.MODEL_OR_NAME),
  GENERATE("/api/generate", ApiFormat.OLLAMA, RequestKind.COMPLETION, Set.of("POST"), ModelField.MODEL),
  CHAT("/api/chat", ApiFormat.OLLAMA, RequestKind.CHAT, Set.of("POST"), ModelField.MODEL),
  EMBED("/api/embed", ApiFormat.OLLAMA, RequestKind.EMBEDDINGS, Set.of("POST"), ModelField.MODEL),
  EMBEDDINGS("/api/embeddings", ApiFormat.OLLAMA, RequestKind.EMBEDDINGS, Set.of("POST"), ModelField.MODEL),
  PULL("/api/pull", ApiFormat.OLLAMA, RequestKind.PULL_MODEL, Set.of("POST"), ModelField.MODEL_OR_NAME),
  PUSH("/api/push", ApiFormat.OLLAMA, RequestKind.PUSH_MODEL, Set.of("POST"), ModelField.MODEL_OR_NAME),
  CREATE("/api/create", ApiFormat.OLLAMA, RequestKind.CREATE_MODEL, Set.of("POST"), ModelField.MODEL_OR_NAME),
  COPY("/api/copy", ApiFormat.OLLAMA, RequestKind.COPY_MODEL, Set.of("POST"), ModelField.SOURCE),
  DELETE("/api/delete", ApiFormat.OLLAMA, RequestKind.DELETE_MODEL, Set.of("DELETE"), ModelField.MODEL_OR_NAME),
  BLOB("/api/blobs/", ApiFormat.OLLAMA, RequestKind.BLOB, Set.of("HEAD", "POST"), null),
  OPENAI_CHAT("/v1/chat/completions", ApiFormat.OPENAI, RequestKind.CHAT, Set.of("POST"), ModelField.MODEL),
  OPENAI_COMPLETIONS("/v1/completions", ApiFormat.OPENAI, RequestKind.COMPLETION, Set.of("POST"), ModelField.MODEL),
  OPENAI_EMBEDDINGS("/v1/embeddings", ApiFormat.OPENAI, RequestKind.EMBEDDINGS, Set.of("POST"), ModelField.MODEL),
  OPENAI_MODELS("/v1/models", ApiFormat.OPENAI, RequestKind.LIST_MODELS, Set.of("GET"), null),
  OPENAI_MODEL("/v1/models/", ApiFormat.OPENAI, RequestKind.SHOW_MODEL, Set.of("GET"), ModelField.PATH);

  /** Where a route's request names its model. */
  public enum ModelField {
    /** The body's {@code model}. */
    MODEL,
    /** The body's {@code model}, else the deprecated {@code name} that older Ollama clients send. */
    MODEL_OR_NAME,
    /** The body's {@code source} ({@code /api/copy}). */
    SOURCE,
    /** The last path segment, percent-decoded ({@code /v1/models/:model}). */
    PATH
  }

  private final String path;
  private final ApiFormat format;
  private final RequestKind kind;
  private final Set<String> methods;
  private final ModelField modelField;

  ApiEndpoint(String path, ApiFormat format, RequestKind kind, Set<String> methods, ModelField modelField) {
    this.path = path;
    this.format = format;
    this.kind = kind;
    this.methods = methods;
    this.modelField = modelField;
  }

  /** The path, or for routes with a parameter the prefix before it (ending in {@code /}). */
  public String path() { return path; }
  /** The dialect the client speaks on this route. */
  public ApiFormat format() { return format; }
  public RequestKind kind() { return kind; }
  public Set<String> methods() { return methods; }
  /** Where the model is named; null for routes that name none. */
  public ModelField modelField() { return modelField; }

  /** True for routes whose request body is JSON that the proxy reads the model from. */
  public boolean modelInBody() {
    return modelField != null && modelField != ModelField.PATH;
  }

  boolean hasParameter() {
    return path.length() > 1 && path.endsWith("/");
  }
}
