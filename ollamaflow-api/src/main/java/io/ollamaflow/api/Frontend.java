package io.ollamaflow.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A virtual endpoint: the requests whose Host header matches {@link #hostname()} are served by
 * the listed {@link #backends()}. Immutable; build with {@link #builder(String)} and change with
 * {@link #toBuilder()}. Field names and defaults follow OllamaFlow's Frontend object.
 */
public final class Frontend {
  /** The catch-all hostname: matches any Host that no other frontend names exactly. */
  public static final String ANY_HOST = "*";
  public static final int DEFAULT_TIMEOUT_MS = 60_000;
  public static final long DEFAULT_MAX_REQUEST_BODY_SIZE = 512L * 1024 * 1024;
  public static final int DEFAULT_STICKY_SESSION_EXPIRATION_MS = 1_800_000;
  public static final int MIN_STICKY_SESSION_EXPIRATION_MS = 10_000;
  public static final int MAX_STICKY_SESSION_EXPIRATION_MS = 86_400_000;
  /** The built-in load-balancing policy names. A plug-in may add others. */
  public static final String ROUND_ROBIN = "round-robin";
  public static final String RANDOM = "random";
  public static final String LEAST_REQUESTS = "least-requests";
  /** Warm-first, cold loads placed where they evict the least-demanded model; for multi-model fleets. */
  public static final String MODEL_AFFINITY = "model-affinity";

  private final String identifier;
  private final String name;
  private final String hostname;
  private final int timeoutMs;
  private final String loadBalancing;
  private final boolean blockHttp10;
  private final long maxRequestBodySize;
  private final List<String> backends;
  private final List<String> requiredModels;
  private final boolean logRequestFull;
  private final boolean logRequestBody;
  private final boolean logResponseBody;
  private final boolean useStickySessions;
  private final int stickySessionExpirationMs;
  private final ObjectNode pinnedEmbeddingsProperties;
  private final ObjectNode pinnedCompletionsProperties;
  private final Map<String, String> modelAliases;
  private final boolean listConfiguredModelsOnly;
  private final List<String> preloadModels;
  private final boolean keepModelsLoaded;
  private final ObjectNode defaultEmbeddingsProperties;
  private final ObjectNode defaultCompletionsProperties;
  private final boolean allowEmbeddings;
  private final boolean allowCompletions;
  private final boolean allowRetries;
  private final boolean requireApiKey;
  private final boolean active;
  private final Instant createdUtc;
  private final Instant lastUpdateUtc;

  private Frontend(Builder b) {
    identifier = b.identifier;
    name = b.name;
    hostname = b.hostname;
    timeoutMs = b.timeoutMs;
    loadBalancing = b.loadBalancing;
    blockHttp10 = b.blockHttp10;
    maxRequestBodySize = b.maxRequestBodySize;
    backends = b.backends;
    requiredModels = b.requiredModels;
    logRequestFull = b.logRequestFull;
    logRequestBody = b.logRequestBody;
    logResponseBody = b.logResponseBody;
    useStickySessions = b.useStickySessions;
    stickySessionExpirationMs = b.stickySessionExpirationMs;
    pinnedEmbeddingsProperties = b.pinnedEmbeddingsProperties.deepCopy();
    pinnedCompletionsProperties = b.pinnedCompletionsProperties.deepCopy();
    modelAliases = b.modelAliases;
    listConfiguredModelsOnly = b.listConfiguredModelsOnly;
    preloadModels = b.preloadModels;
    keepModelsLoaded = b.keepModelsLoaded;
    defaultEmbeddingsProperties = b.defaultEmbeddingsProperties.deepCopy();
    defaultCompletionsProperties = b.defaultCompletionsProperties.deepCopy();
    allowEmbeddings = b.allowEmbeddings;
    allowCompletions = b.allowCompletions;
    allowRetries = b.allowRetries;
    requireApiKey = b.requireApiKey;
    active = b.active;
    createdUtc = Checks.timestamp(b.createdUtc);
    lastUpdateUtc = b.lastUpdateUtc != null ? Checks.timestamp(b.lastUpdateUtc) : createdUtc;
  }

  /** Starts a frontend with OllamaFlow's defaults: catch-all host, round-robin, no backends. */
  public static Builder builder(String identifier) {
    return new Builder(identifier);
  }

  public Builder toBuilder() {
    return new Builder(this);
  }

  public String identifier() { return identifier; }
  /** Display name; may be null. */
  public String name() { return name; }
  /** Host header value this frontend serves (port ignored, case-insensitive), or {@value #ANY_HOST}. */
  public String hostname() { return hostname; }
  /** Longest wait for a backend's first byte, and longest silence inside a stream; 0 = no limit. */
  public int timeoutMs() { return timeoutMs; }
  /** Load-balancing policy name, e.g. {@value #ROUND_ROBIN}. */
  public String loadBalancing() { return loadBalancing; }
  public boolean blockHttp10() { return blockHttp10; }
  public long maxRequestBodySize() { return maxRequestBodySize; }
  /** Backend identifiers in rotation order. */
  public List<String> backends() { return backends; }
  public List<String> requiredModels() { return requiredModels; }
  public boolean logRequestFull() { return logRequestFull; }
  public boolean logRequestBody() { return logRequestBody; }
  public boolean logResponseBody() { return logResponseBody; }
  public boolean useStickySessions() { return useStickySessions; }
  public int stickySessionExpirationMs() { return stickySessionExpirationMs; }
  /** A copy of the properties forced onto embeddings requests. */
  public ObjectNode pinnedEmbeddingsProperties() { return pinnedEmbeddingsProperties.deepCopy(); }
  /** A copy of the properties forced onto completion and chat requests. */
  public ObjectNode pinnedCompletionsProperties() { return pinnedCompletionsProperties.deepCopy(); }
  /**
   * Model names clients may use (key) for a model the backends run (value): a request for the
   * alias is routed and forwarded as a request for the target. Unmodifiable, in insertion order.
   */
  public Map<String, String> modelAliases() { return modelAliases; }
  /** When true, the frontend's model listings show only models named in RequiredModels or ModelAliases. */
  public boolean listConfiguredModelsOnly() { return listConfiguredModelsOnly; }
  /** Models each Ollama backend holding them is asked to load at startup and when it turns healthy. */
  public List<String> preloadModels() { return preloadModels; }
  /** When true, the {@link #preloadModels()} are kept loaded by a periodic load request. */
  public boolean keepModelsLoaded() { return keepModelsLoaded; }
  /** A copy of the properties given to embeddings requests that do not set them; pins still win. */
  public ObjectNode defaultEmbeddingsProperties() { return defaultEmbeddingsProperties.deepCopy(); }
  /** A copy of the properties given to completion and chat requests that do not set them; pins still win. */
  public ObjectNode defaultCompletionsProperties() { return defaultCompletionsProperties.deepCopy(); }
  public boolean allowEmbeddings() { return allowEmbeddings; }
  public boolean allowCompletions() { return allowCompletions; }
  public boolean allowRetries() { return allowRetries; }

  /** Whether inference requests to this frontend must carry an {@link ApiKey} that allows it. */
  public boolean requireApiKey() { return requireApiKey; }
  public boolean active() { return active; }
  public Instant createdUtc() { return createdUtc; }
  public Instant lastUpdateUtc() { return lastUpdateUtc; }

  /** True when this frontend serves a request whose Host header names {@code host} (port already removed). */
  public boolean matchesHost(String host) {
    return hostname.equals(ANY_HOST) || hostname.equalsIgnoreCase(host);
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) return true;
    if (!(o instanceof Frontend)) return false;
    Frontend f = (Frontend) o;
    return timeoutMs == f.timeoutMs && blockHttp10 == f.blockHttp10 && maxRequestBodySize == f.maxRequestBodySize
        && logRequestFull == f.logRequestFull && logRequestBody == f.logRequestBody
        && logResponseBody == f.logResponseBody && useStickySessions == f.useStickySessions
        && stickySessionExpirationMs == f.stickySessionExpirationMs && allowEmbeddings == f.allowEmbeddings
        && allowCompletions == f.allowCompletions && allowRetries == f.allowRetries && requireApiKey == f.requireApiKey && active == f.active
        && identifier.equals(f.identifier) && Objects.equals(name, f.name) && hostname.equals(f.hostname)
        && loadBalancing.equals(f.loadBalancing) && backends.equals(f.backends)
        && requiredModels.equals(f.requiredModels)
        && pinnedEmbeddingsProperties.equals(f.pinnedEmbeddingsProperties)
        && pinnedCompletionsProperties.equals(f.pinnedCompletionsProperties)
        && modelAliases.equals(f.modelAliases) && listConfiguredModelsOnly == f.listConfiguredModelsOnly
        && preloadModels.equals(f.preloadModels) && keepModelsLoaded == f.keepModelsLoaded
        && defaultEmbeddingsProperties.equals(f.defaultEmbeddingsProperties)
        && defaultCompletionsProperties.equals(f.defaultCompletionsProperties)
        && createdUtc.equals(f.createdUtc) && lastUpdateUtc.equals(f.lastUpdateUtc);
  }

  @Override
  public int hashCode() {
    return Objects.hash(identifier, hostname, backends, lastUpdateUtc);
  }

  @Override
  public String toString() {
    return "Frontend{identifier=" + identifier + ", hostname=" + hostname + ", loadBalancing=" + loadBalancing
        + ", backends=" + backends + ", active=" + active + "}";
  }

  /** Builds a {@link Frontend}; each setter validates its argument and names it in the message. */
  public static final class Builder {
    private String identifier;
    private String name;
    private String hostname = ANY_HOST;
    private int timeoutMs = DEFAULT_TIMEOUT_MS;
    private String loadBalancing = ROUND_ROBIN;
    private boolean blockHttp10 = true;
    private long maxRequestBodySize = DEFAULT_MAX_REQUEST_BODY_SIZE;
    private List<String> backends = List.of();
    private List<String> requiredModels = List.of();
    private boolean logRequestFull;
    private boolean logRequestBody;
    private boolean logResponseBody;
    private boolean useStickySessions;
    private int stickySessionExpirationMs = DEFAULT_STICKY_SESSION_EXPIRATION_MS;
    private ObjectNode pinnedEmbeddingsProperties = Checks.object("pinnedEmbeddingsProperties", null);
    private ObjectNode pinnedCompletionsProperties = Checks.object("pinnedCompletionsProperties", null);
    private Map<String, String> modelAliases = Map.of();
    private boolean listConfiguredModelsOnly;
    private List<String> preloadModels = List.of();
    private boolean keepModelsLoaded;
    private ObjectNode defaultEmbeddingsProperties = Checks.object("defaultEmbeddingsProperties", null);
    private ObjectNode defaultCompletionsProperties = Checks.object("defaultCompletionsProperties", null);
    private boolean allowEmbeddings = true;
    private boolean allowCompletions = true;
    private boolean allowRetries = true;
    private boolean requireApiKey;
    private boolean active = true;
    private Instant createdUtc;
    private Instant lastUpdateUtc;

    private Builder(String identifier) {
      identifier(identifier);
    }

    private Builder(Frontend f) {
      identifier = f.identifier;
      name = f.name;
      hostname = f.hostname;
      timeoutMs = f.timeoutMs;
      loadBalancing = f.loadBalancing;
      blockHttp10 = f.blockHttp10;
      maxRequestBodySize = f.maxRequestBodySize;
      backends = f.backends;
      requiredModels = f.requiredModels;
      logRequestFull = f.logRequestFull;
      logRequestBody = f.logRequestBody;
      logResponseBody = f.logResponseBody;
      useStickySessions = f.useStickySessions;
      stickySessionExpirationMs = f.stickySessionExpirationMs;
      pinnedEmbeddingsProperties = f.pinnedEmbeddingsProperties;
      pinnedCompletionsProperties = f.pinnedCompletionsProperties;
      modelAliases = f.modelAliases;
      listConfiguredModelsOnly = f.listConfiguredModelsOnly;
      preloadModels = f.preloadModels;
      keepModelsLoaded = f.keepModelsLoaded;
      defaultEmbeddingsProperties = f.defaultEmbeddingsProperties;
      defaultCompletionsProperties = f.defaultCompletionsProperties;
      allowEmbeddings = f.allowEmbeddings;
      allowCompletions = f.allowCompletions;
      allowRetries = f.allowRetries;
      requireApiKey = f.requireApiKey;
      active = f.active;
      createdUtc = f.createdUtc;
      lastUpdateUtc = f.lastUpdateUtc;
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
      this.hostname = Checks.nonBlank("hostname", hostname);
      return this;
    }

    public Builder timeoutMs(int timeoutMs) {
      this.timeoutMs = Checks.range("timeoutMs", timeoutMs, 0, Integer.MAX_VALUE);
      return this;
    }

    /**
     * Sets the policy by name. The built-ins' names in OllamaFlow's enum style are accepted too:
     * {@code RoundRobin} becomes {@value #ROUND_ROBIN}, {@code LeastRequests} {@value #LEAST_REQUESTS}
     * and {@code ModelAffinity} {@value #MODEL_AFFINITY}; other names are kept in lower case.
     */
    public Builder loadBalancing(String policy) {
      String value = Checks.nonBlank("loadBalancing", policy).toLowerCase(Locale.ROOT);
      this.loadBalancing = switch (value) {
        case "roundrobin" -> ROUND_ROBIN;
        case "leastrequests" -> LEAST_REQUESTS;
        case "modelaffinity" -> MODEL_AFFINITY;
        default -> value;
      };
      return this;
    }

    public Builder blockHttp10(boolean blockHttp10) {
      this.blockHttp10 = blockHttp10;
      return this;
    }

    public Builder maxRequestBodySize(long bytes) {
      this.maxRequestBodySize = Checks.atLeast("maxRequestBodySize", bytes, 1);
      return this;
    }

    public Builder backends(Collection<String> backendIdentifiers) {
      this.backends = Checks.strings("backends", backendIdentifiers);
      if (backends.stream().distinct().count() != backends.size()) {
        throw new IllegalArgumentException("backends: " + backends + " (expected: each backend listed once)");
      }
      return this;
    }

    public Builder requiredModels(Collection<String> models) {
      this.requiredModels = Checks.strings("requiredModels", models);
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

    public Builder useStickySessions(boolean value) {
      this.useStickySessions = value;
      return this;
    }

    public Builder stickySessionExpirationMs(int ms) {
      this.stickySessionExpirationMs = Checks.range("stickySessionExpirationMs", ms,
          MIN_STICKY_SESSION_EXPIRATION_MS, MAX_STICKY_SESSION_EXPIRATION_MS);
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

    /**
     * Sets the aliases: alias name to the model the backends run. Names are trimmed; an alias may
     * not name itself, and an alias may not be the target of another (no chains).
     */
    public Builder modelAliases(Map<String, String> aliases) {
      this.modelAliases = Checks.aliases("modelAliases", aliases);
      return this;
    }

    public Builder listConfiguredModelsOnly(boolean value) {
      this.listConfiguredModelsOnly = value;
      return this;
    }

    public Builder preloadModels(Collection<String> models) {
      this.preloadModels = Checks.strings("preloadModels", models);
      return this;
    }

    public Builder keepModelsLoaded(boolean value) {
      this.keepModelsLoaded = value;
      return this;
    }

    public Builder defaultEmbeddingsProperties(ObjectNode properties) {
      this.defaultEmbeddingsProperties = Checks.object("defaultEmbeddingsProperties", properties);
      return this;
    }

    public Builder defaultCompletionsProperties(ObjectNode properties) {
      this.defaultCompletionsProperties = Checks.object("defaultCompletionsProperties", properties);
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

    /** Inference requests must carry a valid API key allowed on this frontend; off by default. */
    public Builder requireApiKey(boolean value) {
      this.requireApiKey = value;
      return this;
    }

    public Builder allowRetries(boolean value) {
      this.allowRetries = value;
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

    public Frontend build() {
      return new Frontend(this);
    }
  }
}
