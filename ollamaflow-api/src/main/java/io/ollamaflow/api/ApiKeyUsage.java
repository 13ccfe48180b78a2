package io.ollamaflow.api;

import java.time.Instant;
import java.util.Objects;

/**
 * What one {@link ApiKey} has used: either totals as a store keeps them, or an increment a cluster
 * adds to them ({@link ConfigStore#addApiKeyUsage}). Tokens are what backends reported
 * ({@code prompt_eval_count} and {@code eval_count}, or OpenAI {@code usage}).
 *
 * @param lastUsedUtc the latest request counted; null if none
 */
public record ApiKeyUsage(String identifier, long requests, long promptTokens, long completionTokens,
    long refusals, Instant lastUsedUtc) {
  public ApiKeyUsage {
    Objects.requireNonNull(identifier, "identifier");
    if (requests < 0 || promptTokens < 0 || completionTokens < 0 || refusals < 0) {
      throw new IllegalArgumentException("usage counts must not be negative: " + identifier);
    }
  }

  /** This usage plus another of the same key; the later lastUsedUtc wins. */
  public ApiKeyUsage plus(ApiKeyUsage other) {
    if (!identifier.equals(other.identifier)) {
      throw new IllegalArgumentException("usage of '" + other.identifier + "' added to '" + identifier + "'");
    }
    Instant last = lastUsedUtc == null ? other.lastUsedUtc
        : other.lastUsedUtc == null || lastUsedUtc.isAfter(other.lastUsedUtc) ? lastUsedUtc : other.lastUsedUtc;
    return new ApiKeyUsage(identifier, requests + other.requests, promptTokens + other.promptTokens,
        completionTokens + other.completionTokens, refusals + other.refusals, last);
  }
}
