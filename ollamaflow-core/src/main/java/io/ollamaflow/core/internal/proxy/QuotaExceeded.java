package io.ollamaflow.core.internal.proxy;

import io.ollamaflow.api.ErrorCode;
import io.ollamaflow.api.FlowException;

/** A 429 of an API key's limits, with the seconds after which a retry may succeed ({@code Retry-After}). */
final class QuotaExceeded extends FlowException {
  private final long retryAfterSeconds;

  QuotaExceeded(String message, long retryAfterSeconds) {
    super(ErrorCode.RATE_LIMIT_EXCEEDED, message);
    this.retryAfterSeconds = retryAfterSeconds;
  }

  long retryAfterSeconds() {
    return retryAfterSeconds;
  }
}
