package io.ollamaflow.api;

/**
 * What a proxied request does, independent of the dialect it arrives in. {@code /api/chat} and
 * {@code /v1/chat/completions} are both {@link #CHAT}.
 */
public enum RequestKind {
  /** {@code GET|HEAD /}: the server's liveness banner. */
  ROOT,
  /** {@code /api/version}. */
  VERSION,
  /** {@code /api/generate}, {@code /v1/completions}. */
  COMPLETION,
  /** {@code /api/chat}, {@code /v1/chat/completions}. */
  CHAT,
  /** {@code /api/embed}, {@code /api/embeddings}, {@code /v1/embeddings}. */
  EMBEDDINGS,
  /** {@code /api/tags}, {@code /v1/models}. */
  LIST_MODELS,
  /** {@code /api/ps}. */
  LIST_RUNNING,
  /** {@code /api/show}, {@code /v1/models/:model}. */
  SHOW_MODEL,
  /** {@code /api/pull}. */
  PULL_MODEL,
  /** {@code /api/push}. */
  PUSH_MODEL,
  /** {@code /api/create}. */
  CREATE_MODEL,
  /** {@code /api/copy}; the model is the {@code source}. */
  COPY_MODEL,
  /** {@code DELETE /api/delete}. */
  DELETE_MODEL,
  /** {@code HEAD|POST /api/blobs/:digest}. */
  BLOB;

  /** True for generation requests, governed by {@code AllowCompletions} and the completions pins. */
  public boolean isCompletion() {
    return this == CHAT || this == COMPLETION;
  }

  /** True for embedding requests, governed by {@code AllowEmbeddings} and the embeddings pins. */
  public boolean isEmbeddings() {
    return this == EMBEDDINGS;
  }
}
