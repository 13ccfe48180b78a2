package io.ollamaflow.core.internal.admin;

import java.util.Set;

/**
 * Validation messages from the configuration builders name Java properties ({@code port: 70000
 * (expected: 1-65535)}); an admin API client knows the JSON fields ({@code Port}). This renames
 * the leading property of such a message to its JSON field.
 */
final class FieldNames {
  private static final Set<String> JSON_FIELDS = Set.of("Identifier", "Name", "Hostname", "TimeoutMs",
      "LoadBalancing", "BlockHttp10", "MaxRequestBodySize", "Backends", "RequiredModels", "LogRequestFull",
      "LogRequestBody", "LogResponseBody", "UseStickySessions", "StickySessionExpirationMs",
      "PinnedEmbeddingsProperties", "PinnedCompletionsProperties", "AllowEmbeddings", "AllowCompletions",
      "AllowRetries", "Active", "CreatedUtc", "LastUpdateUtc", "Port", "Ssl", "UnhealthyThreshold",
      "HealthyThreshold", "HealthCheckMethod", "HealthCheckUrl", "MaxParallelRequests",
      "RateLimitRequestsThreshold", "Weight", "ApiFormat", "Labels", "BearerToken", "Querystring", "Headers",
      "RequireApiKey", "KeyPrefix", "Frontends", "Models", "RequestsPerMinute", "TokensPerMinute",
      "MaxConcurrentRequests", "ExpiresUtc");

  private FieldNames() {}

  /** The message with a leading {@code javaProperty:} renamed to {@code JsonField:}; other messages unchanged. */
  static String pascalCase(String message) {
    if (message == null) return "invalid value";
    int colon = message.indexOf(':');
    if (colon <= 0) return message;
    String property = message.substring(0, colon);
    String field = Character.toUpperCase(property.charAt(0)) + property.substring(1);
    return JSON_FIELDS.contains(field) ? field + message.substring(colon) : message;
  }
}
