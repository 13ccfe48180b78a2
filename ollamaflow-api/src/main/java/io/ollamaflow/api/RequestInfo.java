package io.ollamaflow.api;

/**
 * What a {@link FlowEventListener} can read about a request in progress. Values fill in as the
 * request advances: {@link #frontendId()} once a frontend matched, {@link #backendId()} once a
 * backend was chosen, {@link #status()} once the response status is known.
 */
public interface RequestInfo {
  /** The id sent back in {@code X-OllamaFlow-Request} and written in log lines. */
  String requestId();

  String method();

  /** The request path as the client sent it, without the query. */
  String path();

  String clientAddress();

  /** Null until a frontend matched. */
  String frontendId();

  /** Null until the route is known. */
  RequestKind kind();

  /** Null if the request names no model. */
  String model();

  /** Null until a backend was chosen. */
  String backendId();

  /** The HTTP status sent to the client; 0 until sent. */
  int status();

  /** Nanoseconds since the request arrived. */
  long elapsedNanos();

  /**
   * Nanoseconds from the request's arrival to its answer's first byte (status and headers sent
   * to the client, a backend's answer or a refusal); -1 until then.
   */
  default long firstByteNanos() {
    return -1;
  }

  /** True when a sticky session chose the backend rather than the frontend's policy. */
  default boolean sticky() {
    return false;
  }

  /**
   * True when the chosen backend was known not to hold the model in memory, so answering meant
   * loading it first.
   */
  default boolean coldLoad() {
    return false;
  }

  /**
   * Prompt tokens the backend reported once it finished answering (Ollama's
   * {@code prompt_eval_count}, OpenAI's {@code usage.prompt_tokens}); -1 when it reported none.
   */
  default long inputTokens() {
    return -1;
  }

  /**
   * Generated tokens the backend reported (Ollama's {@code eval_count}, OpenAI's
   * {@code usage.completion_tokens}); -1 when it reported none.
   */
  default long outputTokens() {
    return -1;
  }

  /** Nanoseconds the backend reported spending on generation (Ollama's {@code eval_duration}); -1 when unknown. */
  default long generationNanos() {
    return -1;
  }

  /** Nanoseconds the backend reported spending on loading the model (Ollama's {@code load_duration}); -1 when unknown. */
  default long modelLoadNanos() {
    return -1;
  }
}
