package io.ollamaflow.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * One inference server (Ollama, vLLM, llama.cpp, OpenAI...). Configuration only: live state such
 * as health and in-flight requests is in {@link BackendView}. Immutable; build with
 * {@link #builder(String)} and change with {@link #toBuilder()}. Field names and defaults follow
 * OllamaFlow's Backend object, except that the port defaults to Ollama's 11434 as its docs say.
 * {@link #toString()} never shows the bearer token or header values.
 */
public final class Backend {
  public static final String DEFAULT_HOSTNAME = "localhost";
  public static final int DEFAULT_PORT = 11434;
  public static final int DEFAULT_HEALTHY_THRESHOLD = 2;
  public static final int DEFAULT_UNHEALTHY_THRESHOLD = 2;
  public static final String DEFAULT_HEALTH_CHECK_METHOD = "GET";
  public static final String DEFAULT_HEALTH_CHECK_URL = "/";
  public static final int DEFAULT_MAX_PARALLEL_REQUESTS = 4;
  public static final int DEFAULT_RATE_LIMIT_REQUESTS_THRESHOLD = 10;
  public static final int DEFAULT_WEIGHT = 1;
  public static final int MAX_WEIGHT = 1000;

  private final String identifier;
  private final String name;
  private final String hostname;
  private final int port;
  private final boolean ssl;
  private final int unhealthyThreshold;
  private final int healthyThreshold;
  private final String healthCheckMethod;
  private final String healthCheckUrl;
  private final int maxParallelRequests;
  private final int rateLimitRequestsThreshold;
  private final int weight;
  private final boolean logRequestFull;
  private final boolean logRequestBody;
  private final boolean logResponseBody;
  private final ApiFormat apiFormat;
  private final List<String> labels;
  private final ObjectNode pinnedEmbeddingsProperties;
  private final ObjectNode pinnedCompletionsProperties;
  private final boolean allowEmbeddings;
  private final boolean allowCompletions;
  private final String bearerToken;
  private final String querystring;
  private final Map<String, String> headers;
  private final boolean active;
  private final Instant createdUtc;
  private final Instant lastUpdateUtc;

  private Backend(Builder b) {
    identifier = b.identifier;
    name = b.name;
    hostname = b.hostname;
    port = b.port;
    ssl = b.ssl;
    unhealthyThreshold = b.unhealthyThreshold;
    healthyThreshold = b.healthyThreshold;
    healthCheckMethod = b.healthCheckMethod;
    healthCheckUrl = b.healthCheckUrl;
    maxParallelRequests = b.maxParallelRequests;
    rateLimitRequestsThreshold = b.rateLimitRequestsThreshold;
    weight = b.weight;
    logRequestFull = b.logRequestFull;
    logRequestBody = b.logRequestBody;
    logResponseBody = b.logResponseBody;
    apiFormat = b.apiFormat;
    labels = b.labels;
    pinnedEmbeddingsProperties = b.pinnedEmbeddingsProperties.deepCopy();
    pinnedCompletionsProperties = b.pinnedCompletionsProperties.deepCopy();
    allowEmbeddings = b.allowEmbeddings;
    allowCompletions = b.allowCompletions;
    bearerToken = b.bearerToken;
    querystring = b.querystring;
    headers = b.headers;
    active = b.active;
    createdUtc = Checks.timestamp(b.createdUtc);
    lastUpdateUtc = b.lastUpdateUtc != null ? Checks.timestamp(b.lastUpdateUtc) : createdUtc;
  }

  /** Starts a backend with the defaults: {@code localhost:11434}, Ollama format, active. */
  public static Builder builder(String identifier) {
    return new Builder(identifier);
  }

  public Builder toBuilder() {
    return new Builder(this);
  }

  public String identifier() { return identifier; }
  /** Display name; may be null. */
  public String name() { return name; }
  public String hostname() { return hostname; }
  public int port() { return port; }
  public boolean ssl() { return ssl; }
  public int unhealthyThreshold() { return unhealthyThreshold; }
  public int healthyThreshold() { return healthyThreshold; }
  /** {@code GET} or {@code HEAD}. */
  public String healthCheckMethod() { return healthCheckMethod; }
  public String healthCheckUrl() { return healthCheckUrl; }
  public int maxParallelRequests() { return maxParallelRequests; }
  public int rateLimitRequestsThreshold() { return rateLimitRequestsThreshold; }
  /**
   * This backend's share of traffic relative to the others of a frontend (1 to {@value #MAX_WEIGHT},
   * default 1): a backend of weight 3 gets three times the requests of one of weight 1 under every
   * built-in policy, for mixed hardware.
   */
  public int weight() { return weight; }
  public boolean logRequestFull() { return logRequestFull; }
  public boolean logRequestBody() { return logRequestBody; }
  public boolean logResponseBody() { return logResponseBody; }
  public ApiFormat apiFormat() { return apiFormat; }
  public List<String> labels() { return labels; }
  /** A copy of the properties forced onto embeddings requests; they win over the frontend's. */
  public ObjectNode pinnedEmbeddingsProperties() { return pinnedEmbeddingsProperties.deepCopy(); }
  /** A copy of the properties forced onto completion and chat requests; they win over the frontend's. */
  public ObjectNode pinnedCompletionsProperties() { return pinnedCompletionsProperties.deepCopy(); }
  public boolean allowEmbeddings() { return allowEmbeddings; }
  public boolean allowCompletions() { return allowCompletions; }
  /** Sent as {@code Authorization: Bearer} to this backend; may be null. */
  public String bearerToken() { return bearerToken; }
  /** Appended to every URL sent to this backend, without a leading {@code ?}; may be null. */
  public String querystring() { return querystring; }
  /** Extra headers sent to this backend. */
  public Map<String, String> headers() { return headers; }
  public boolean active() { return active; }
  public Instant createdUtc() { return createdUtc; }
  public Instant lastUpdateUtc() { return lastUpdateUtc; }

  /** {@code http://hostname:port} or {@code https://...}, with IPv6 literals bracketed; no trailing slash. */
  public String baseUrl() {
    String host = hostname.indexOf(':') >= 0 && !hostname.startsWith("[") ? "[" + hostname + "]" : hostname;
    return (ssl ? "https://" : "http://") + host + ":" + port;
  }

  /** True when this backend carries the label, compared exactly but ignoring case. */
  public boolean hasLabel(String label) {
    for (String l : labels) {
      if (l.equalsIgnoreCase(label)) return true;
    }
    return false;
  }

  /** True when this backend may serve requests of this kind (its Allow* flags). */
  public boolean allows(RequestKind kind) {
    return !(kind.isEmbeddings() && !allowEmbeddings) && !(kind.isCompletion() && !allowCompletions);
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) return true;
    if (!(o instanceof Backend)) return false;
    Backend b = (Backend) o;
    return port == b.port && ssl == b.ssl && unhealthyThreshold == b.unhealthyThreshold
        && healthyThreshold == b.healthyThreshold && maxParallelRequests == b.maxParallelRequests
        && rateLimitRequestsThreshold == b.rateLimitRequestsThreshold && weight == b.weight && logRequestFull == b.logRequestFull
        && logRequestBody == b.logRequestBody && logResponseBody == b.logResponseBody
        && allowEmbeddings == b.allowEmbeddings && allowCompletions == b.allowCompletions && active == b.active
        && identifier.equals(b.identifier) && Objects.equals(name, b.name) && hostname.equals(b.hostname)
        && healthCheckMethod.equals(b.healthCheckMethod) && healthCheckUrl.equals(b.healthCheckUrl)
        && apiFormat.equals(b.apiFormat) && labels.equals(b.labels)
        && pinnedEmbeddingsProperties.equals(b.pinnedEmbeddingsProperties)
        && pinnedCompletionsProperties.equals(b.pinnedCompletionsProperties)
        && Objects.equals(bearerToken, b.bearerToken) && Objects.equals(querystring, b.querystring)
        && headers.equals(b.headers) && createdUtc.equals(b.createdUtc) && lastUpdateUtc.equals(b.lastUpdateUtc);
  }

  @Override
  public int hashCode() {
    return Objects.hash(identifier, hostname, port, lastUpdateUtc);
  }

  @Override
  public String toString() {
    return "Backend{identifier=" + identifier + ", url=" + baseUrl() + ", apiFormat=" + apiFormat
        + ", labels=" + labels + ", bearerToken=" + Checks.mask(bearerToken) + ", headers=" + headers.keySet()
        + ", active=" + active + "}";
  }

  /** Builds a {@link Backend}; each setter validates its argument and names it in the message. */
  public static final class Builder {
    private String identifier;
    private String name;
    private String hostname = DEFAULT_HOSTNAME;
    private int port = DEFAULT_PORT;
    private boolean ssl;
    private int unhealthyThreshold = DEFAULT_UNHEALTHY_THRESHOLD;
    private int healthyThreshold = DEFAULT_HEALTHY_THRESHOLD;
    private String healthCheckMethod = DEFAULT_HEALTH_CHECK_METHOD;
    private String healthCheckUrl = DEFAULT_HEALTH_CHECK_URL;
    private int maxParallelRequests = DEFAULT_MAX_PARALLEL_REQUESTS;
    private int rateLimitRequestsThreshold = DEFAULT_RATE_LIMIT_REQUESTS_THRESHOLD;
    private int weight = DEFAULT_WEIGHT;
    private boolean logRequestFull;
    private boolean logRequestBody;
    private boolean logResponseBody;
    private ApiFormat apiFormat = ApiFormat.OLLAMA;
    private List<String> labels = List.of();
    private ObjectNode pinnedEmbeddingsProperties = Checks.object("pinnedEmbeddingsProperties", null);
    private ObjectNode pinnedCompletionsProperties = Checks.object("pinnedCompletionsProperties", null);
    private boolean allowEmbeddings = true;
    private boolean allowCompletions = true;
    private String bearerToken;
    private String querystring;
    private Map<String, String> headers = Map.of();
    private boolean active = true;
    private Instant createdUtc;
    private Instant lastUpdateUtc;

    private Builder(String identifier) {
      identifier(identifier);
    }

    private Builder(Backend b) {
      identifier = b.identifier;
      name = b.name;
      hostname = b.hostname;
      port = b.port;
      ssl = b.ssl;
      unhealthyThreshold = b.unhealthyThreshold;
      healthyThreshold = b.healthyThreshold;
      healthCheckMethod = b.healthCheckMethod;
      healthCheckUrl = b.healthCheckUrl;
      maxParallelRequests = b.maxParallelRequests;
      rateLimitRequestsThreshold = b.rateLimitRequestsThreshold;
      weight = b.weight;
      logRequestFull = b.logRequestFull;
      logRequestBody = b.logRequestBody;
      logResponseBody = b.logResponseBody;
      apiFormat = b.apiFormat;
      labels = b.labels;
      pinnedEmbeddingsProperties = b.pinnedEmbeddingsProperties;
      pinnedCompletionsProperties = b.pinnedCompletionsProperties;
      allowEmbeddings = b.allowEmbeddings;
      allowCompletions = b.allowCompletions;
      bearerToken = b.bearerToken;
      querystring = b.querystring;
      headers = b.headers;
      active = b.active;
      createdUtc = b.createdUtc;
      lastUpdateUtc = b.lastUpdateUtc;
    }

    public Builder identifier(String identifier) {
      this.identifier = Checks.identifier(identifier);
      return this;
    }

    public Builder name(String name) {
      this.name = name;
      return this;
    }

    public Builder hostname(String hostname) {
      String value = Checks.nonBlank("hostname", hostname);
      if (value.contains("/") || value.contains(" ")) {
        throw Checks.invalid("hostname", hostname, "a host name or IP address, without scheme or path");
      }
      this.hostname = value;
      return this;
    }

    public Builder port(int port) {
      this.port = Checks.range("port", port, 1, 65535);
      return this;
    }

    public Builder ssl(boolean ssl) {
      this.ssl = ssl;
      return this;
    }

    public Builder unhealthyThreshold(int count) {
      this.unhealthyThreshold = Checks.range("unhealthyThreshold", count, 1, 1000);
      return this;
    }

    public Builder healthyThreshold(int count) {
      this.healthyThreshold = Checks.range("healthyThreshold", count, 1, 1000);
      return this;
    }

    /** {@code GET} or {@code HEAD}, any case; null or empty means {@code GET}. */
    public Builder healthCheckMethod(String method) {
      if (method == null || method.isBlank()) {
        this.healthCheckMethod = DEFAULT_HEALTH_CHECK_METHOD;
        return this;
      }
      String upper = method.trim().toUpperCase(Locale.ROOT);
      if (!upper.equals("GET") && !upper.equals("HEAD")) {
        throw Checks.invalid("healthCheckMethod", method, "GET or HEAD");
      }
      this.healthCheckMethod = upper;
      return this;
    }

    /** A path starting with {@code /}; null or empty means {@code /}. */
    public Builder healthCheckUrl(String path) {
      if (path == null || path.isBlank()) {
        this.healthCheckUrl = DEFAULT_HEALTH_CHECK_URL;
        return this;
      }
      if (!path.startsWith("/")) {
        throw Checks.invalid("healthCheckUrl", path, "a path starting with '/'");
      }
      this.healthCheckUrl = path;
      return this;
    }

    public Builder maxParallelRequests(int count) {
      this.maxParallelRequests = Checks.range("maxParallelRequests", count, 1, 100_000);
      return this;
    }

    public Builder rateLimitRequestsThreshold(int count) {
      this.rateLimitRequestsThreshold = Checks.range("rateLimitRequestsThreshold", count, 1, 1_000_000);
      return this;
    }

    /** Relative share of traffic, 1 to {@value Backend#MAX_WEIGHT}; see {@link Backend#weight()}. */
    public Builder weight(int weight) {
      this.weight = Checks.range("weight", weight, 1, MAX_WEIGHT);
      return this;
    }

    public Builder logRequestFull(boolean value) {
      this.logRequestFull = value;
      return this;
    }

    public Builder logRequestBody(boolean value) {
      this.logRequestBody = value;
      return this;
    }

    public Builder logResponseBody(boolean value) {
      this.logResponseBody = value;
      return this;
    }

    public Builder apiFormat(ApiFormat format) {
      this.apiFormat = Objects.requireNonNull(format, "apiFormat");
      return this;
    }

    public Builder labels(Collection<String> labels) {
      this.labels = Checks.strings("labels", labels);
      return this;
    }

    public Builder pinnedEmbeddingsProperties(ObjectNode properties) {
      this.pinnedEmbeddingsProperties = Checks.object("pinnedEmbeddingsProperties", properties);
      return this;
    }

    public Builder pinnedCompletionsProperties(ObjectNode properties) {
      this.pinnedCompletionsProperties = Checks.object("pinnedCompletionsProperties", properties);
      return this;
    }

    public Builder allowEmbeddings(boolean value) {
      this.allowEmbeddings = value;
      return this;
    }

    public Builder allowCompletions(boolean value) {
      this.allowCompletions = value;
      return this;
    }

    /** Null or empty means none. */
    public Builder bearerToken(String token) {
      if (token != null && token.chars().anyMatch(c -> c < 0x20)) {
        throw new IllegalArgumentException("bearerToken: contains control characters (expected: a token)");
      }
      this.bearerToken = token == null || token.isEmpty() ? null : token;
      return this;
    }

    /** Query parameters such as {@code api-version=2024-02-01}; a leading {@code ?} is dropped; empty means none. */
    public Builder querystring(String query) {
      String value = query == null ? "" : query.trim();
      if (value.startsWith("?")) value = value.substring(1);
      if (value.chars().anyMatch(c -> c <= 0x20 || c == '#')) {
        throw Checks.invalid("querystring", query, "URL query parameters without spaces or '#'");
      }
      this.querystring = value.isEmpty() ? null : value;
      return this;
    }

    public Builder headers(Map<String, String> headers) {
      this.headers = Checks.headers(headers);
      return this;
    }

    public Builder active(boolean value) {
      this.active = value;
      return this;
    }

    /** Creation time; "now" when left unset. */
    public Builder createdUtc(Instant value) {
      this.createdUtc = value;
      return this;
    }

    /** Last update time; the creation time when left unset. */
    public Builder lastUpdateUtc(Instant value) {
      this.lastUpdateUtc = value;
      return this;
    }

    public Backend build() {
      return new Backend(this);
    }
  }
}
