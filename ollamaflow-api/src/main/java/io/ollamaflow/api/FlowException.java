package io.ollamaflow.api;

import java.util.Objects;

/**
 * The one exception the library throws for refused or failed requests and invalid configuration.
 * The message names what was wrong (the frontend, model, backend or field involved) and is safe
 * to show to a client; the {@link #code()} decides the HTTP status.
 *
 * <p>Expected on the request path, so it records no stack trace unless it wraps a cause.
 */
public class FlowException extends RuntimeException {
  private final ErrorCode code;

  public FlowException(ErrorCode code, String message) {
    super(message, null, false, false);
    this.code = Objects.requireNonNull(code, "code");
  }

  public FlowException(ErrorCode code, String message, Throwable cause) {
    super(message, cause, false, true);
    this.code = Objects.requireNonNull(code, "code");
  }

  public ErrorCode code() {
    return code;
  }

  public int httpStatus() {
    return code.httpStatus();
  }
}
