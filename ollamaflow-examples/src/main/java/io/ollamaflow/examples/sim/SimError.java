package io.ollamaflow.examples.sim;

/**
 * An error answer decided by a handler before it started its response. The dispatcher renders it
 * in the dialect of the route (Ollama or OpenAI). Stackless because it is an expected outcome.
 */
final class SimError extends RuntimeException {
  private final int status;
  private final String param;

  SimError(int status, String message) {
    this(status, message, null);
  }

  /** @param param the request field at fault, which OpenAI-shaped errors name; may be null */
  SimError(int status, String message, String param) {
    super(message, null, false, false);
    this.status = status;
    this.param = param;
  }

  int status() {
    return status;
  }

  String param() {
    return param;
  }
}
