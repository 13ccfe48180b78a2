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
}
