package io.ollamaflow.core.internal.proxy;

import io.ollamaflow.api.ErrorCode;
import io.ollamaflow.api.FlowException;

/** What one attempt at one backend came to. */
sealed interface Attempt permits Attempt.Done, Attempt.Retry, Attempt.Failed {
  /** An answer was relayed to the client (a backend's error answer included). */
  record Done() implements Attempt {}

  /**
   * The backend failed before anything reached the client, and another backend may be tried;
   * {@code cause} is the kind of failure listeners count it under ({@code TIMEOUT},
   * {@code BACKEND_BUSY} for a 429 or 503 answer, else {@code BACKEND_ERROR}).
   */
  record Retry(String reason, ErrorCode cause) implements Attempt {}

  /** The request ends with this error; nothing was sent to the client yet. */
  record Failed(FlowException error) implements Attempt {}

  Done DONE = new Done();
}
