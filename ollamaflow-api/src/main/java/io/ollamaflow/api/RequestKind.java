package io.ollamaflow.api;

/**
 * What a proxied request does, independent of the dialect it arrives in. {@code /api/chat} and
 * {@code /v1/chat/completions} are both {@link #CHAT}.
 */
public enum RequestKind {
  /** {@code GET|HEAD /}: the server's liveness banner. */
  ROOT(false),
  /** {@code /api/version}. */
  VERSION(false),
  /** {@code /api/generate}, {@code /v1/completions}. */
  COMPLETION(true),
  /** {@code /api/chat}, {@code /v1/chat/completions}. */
  CHAT(true),
  /** {@code /api/embed}, {@code /api/embeddings}, {@code /v1/embeddings}. */
  EMBEDDINGS(true),
  /** {@code /api/tags}, {@code /v1/models}. */
  LIST_MODELS(false),
  /** {@code /api/ps}. */
  LIST_RUNNING(false),
  /** {@code /api/show}, {@code /v1/models/:model}. */
  SHOW_MODEL(true),
  /** {@code /api/pull}. */
  PULL_MODEL(true),
  /** {@code /api/push}. */
  PUSH_MODEL(true),
  /** {@code /api/create}. */
  CREATE_MODEL(true),
  /** {@code /api/copy}; the model is the {@code source}. */
  COPY_MODEL(true),
  /** {@code DELETE /api/delete}. */
  DELETE_MODEL(true),
  /** {@code HEAD|POST /api/blobs/:digest}. */
  BLOB(false);

  private final boolean namesModel;

  RequestKind(boolean namesModel) {
    this.namesModel = namesModel;
  }

  /** True when a request of this kind must name a model. */
  public boolean namesModel() {
    return namesModel;
  }

  /** True for generation requests, governed by {@code AllowCompletions} and the completions pins. */
  public boolean isCompletion() {
    return this == CHAT || this == COMPLETION;
  }

  /** True for embedding requests, governed by {@code AllowEmbeddings} and the embeddings pins. */
  public boolean isEmbeddings() {
    return this == EMBEDDINGS;
  }
}
