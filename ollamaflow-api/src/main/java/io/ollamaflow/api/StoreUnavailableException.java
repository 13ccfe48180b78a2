package io.ollamaflow.api;

/**
 * A {@link ConfigStore} or {@link LiveState} could not be reached: the database is down, refuses
 * connections or did not answer in time. The message names the store (e.g. its JDBC URL without
 * parameters) and the operation. The admin API answers it with 503 and {@code Retry-After};
 * the condition is expected to pass, and trying again later is the remedy.
 */
public class StoreUnavailableException extends IllegalStateException {
  public StoreUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
