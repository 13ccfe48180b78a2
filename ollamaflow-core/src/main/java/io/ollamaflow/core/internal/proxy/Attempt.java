package io.ollamaflow.core.internal.proxy;

import io.ollamaflow.api.FlowException;

/** What one attempt at one backend came to. */
sealed interface Attempt permits Attempt.Done, Attempt.Retry, Attempt.Failed {
  /** An answer was relayed to the client (a backend's error answer included). */
  record Done() implements Attempt {}

  /**
   * The backend failed before anything reached the client, and another backend may be tried;
   * {@code cause} says why, with the code listeners count it under.
   */
  record Retry(FlowException cause) implements Attempt {}

  /** The request ends with this error; nothing was sent to the client yet. */
  record Failed(FlowException error) implements Attempt {}

  Done DONE = new Done();
}
