package io.ollamaflow.examples.sim;

/**
 * An error answer decided by a handler before it started its response. The dispatcher renders it
 * in the dialect of the route (Ollama or OpenAI). Stackless because it is an expected outcome.
 */
final class SimError extends RuntimeException {
  private final int status;

  SimError(int status, String message) {
    super(message, null, false, false);
    this.status = status;
  }

  int status() {
    return status;
  }
}
