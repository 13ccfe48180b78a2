package io.ollamaflow.core;

import io.ollamaflow.api.ApiTranslator;
import io.ollamaflow.api.ConfigStore;
import io.ollamaflow.api.FlowEventListener;
import io.ollamaflow.api.HealthProbe;
import io.ollamaflow.api.HealthStatus;
import io.ollamaflow.api.LiveState;
import io.ollamaflow.api.LoadBalancerProvider;
import io.ollamaflow.core.http.FlowHttpHandler;
import io.ollamaflow.core.inprocess.ChatRequest;
import io.ollamaflow.core.inprocess.ChatResponse;
import io.ollamaflow.core.inprocess.EmbedRequest;
import io.ollamaflow.core.inprocess.EmbedResponse;
import io.ollamaflow.core.inprocess.FlowStream;
import io.ollamaflow.core.inprocess.GenerateRequest;
import io.ollamaflow.core.inprocess.GenerateResponse;
import io.ollamaflow.core.inprocess.InProcessClient;
import io.ollamaflow.core.inprocess.ModelInfo;
import io.ollamaflow.core.internal.BackendClients;
import io.ollamaflow.core.internal.ClusterState;
import io.ollamaflow.core.internal.Events;
import io.ollamaflow.core.internal.FallbackLiveState;
import io.ollamaflow.core.internal.InProcessClients;
import io.ollamaflow.core.internal.NoDelaySockets;
import io.ollamaflow.core.internal.OkHttpVersionCheck;
import io.ollamaflow.core.internal.OkioWatchdogAnchor;
import io.ollamaflow.core.internal.admin.AdminHandler;
import io.ollamaflow.core.internal.cors.AllowedOrigins;
import io.ollamaflow.core.internal.cors.CorsHandler;
import io.ollamaflow.core.internal.health.HttpHealthProbe;
import io.ollamaflow.core.internal.metrics.ClusterMetrics;
import io.ollamaflow.core.internal.metrics.MicrometerMetrics;
import io.ollamaflow.core.internal.metrics.RecentTraffic;
import io.ollamaflow.core.internal.proxy.BodyLog;
import io.ollamaflow.core.internal.proxy.BodySpool;
import io.ollamaflow.core.internal.proxy.HttpCall;
import io.ollamaflow.core.internal.routing.BackendState;
import io.ollamaflow.core.internal.routing.RouteTable;
import io.micrometer.core.instrument.MeterRegistry;
import io.ollamaflow.core.internal.proxy.ProxyEngine;
import io.ollamaflow.core.internal.routing.LoadBalancerRegistry;
import io.ollamaflow.core.internal.routing.StickySessions;
import io.ollamaflow.core.internal.translation.TranslatorRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import okhttp3.ConnectionPool;
import okhttp3.OkHttpClient;

/**
 * One highly available endpoint over many inference servers. A cluster reads its frontends and
 * backends from a {@link ConfigStore}, follows the store's edits, and serves requests through
 * {@link #httpHandler()}, which any HTTP server can mount (see {@code io.ollamaflow.core.http}).
 *
 * <pre>{@code
 * FlowCluster cluster = FlowCluster.builder().configStore(store).build();
 * FlowHttpServer server = FlowHttpServer.start(new InetSocketAddress(43411), cluster.httpHandler());
 * }</pre>
 *
 * <p>Threading: safe for concurrent use. Configuration changes are applied on one internal
 * update thread; request threads never take locks.
 */
public final class FlowCluster implements AutoCloseable {
  /** The request headers whose first non-empty value keys a sticky session, as in OllamaFlow. */
  public static final List<String> DEFAULT_STICKY_HEADERS = List.of("x-conversation-id", "x-thread-id");
  public static final Duration DEFAULT_CONFIG_POLL_INTERVAL = Duration.ofSeconds(1);
  public static final Duration DEFAULT_HEALTH_CHECK_INTERVAL = Duration.ofSeconds(5);
  public static final Duration DEFAULT_HEALTH_CHECK_TIMEOUT = Duration.ofMillis(2500);
  public static final Duration DEFAULT_MODEL_REFRESH_INTERVAL = Duration.ofSeconds(15);
  public static final Duration DEFAULT_LOAD_POLL_INTERVAL = Duration.ofSeconds(2);
  /** Attempts per request, on different backends, when the frontend allows retries. */
  public static final int DEFAULT_MAX_ATTEMPTS = 3;
  /** Sticky sessions kept before the least recently used are evicted. */
  public static final int DEFAULT_MAX_STICKY_SESSIONS = StickySessions.DEFAULT_MAX_SESSIONS;
  /** Sticky-session client keys longer than this are kept as their SHA-256. */
  public static final int DEFAULT_MAX_STICKY_KEY_LENGTH = StickySessions.DEFAULT_MAX_KEY_LENGTH;
  /** Heap all request bodies waiting to be routed may hold together (see {@link Builder#requestBodySpool}). */
  public static final long DEFAULT_REQUEST_BODY_MEMORY_BYTES = BodySpool.DEFAULT_MAX_MEMORY_BYTES;
  /** Bytes all request bodies waiting to be routed may hold in temporary files together. */
  public static final long DEFAULT_REQUEST_BODY_DISK_BYTES = BodySpool.DEFAULT_MAX_DISK_BYTES;

  private final ConfigStore store;
  private final OkHttpClient ownedClient;
  private final OkioWatchdogAnchor watchdogAnchor;
  private final ClusterState state;
  private final ProxyEngine engine;
  private final FlowAdmin admin;
  private final FlowHttpHandler handler;

  private FlowCluster(Builder b) {
    store = b.configStore != null ? b.configStore : new InMemoryConfigStore();
    ownedClient = b.httpClient == null ? defaultClient() : null;
    OkHttpClient client = new BackendClients(System::nanoTime, BackendClients.DEFAULT_PROBE_AFTER_IDLE_NANOS)
        .guard(b.httpClient != null ? b.httpClient : ownedClient);
    LoadBalancerRegistry balancers = new LoadBalancerRegistry(b.loadBalancers, FlowCluster.class.getClassLoader());
    RecentTraffic traffic = new RecentTraffic(b.clock);
    List<FlowEventListener> listeners = new ArrayList<>(List.of(traffic));
    List<BiConsumer<RouteTable, Collection<BackendState>>> routeWatchers = new ArrayList<>();
    routeWatchers.add((routes, backends) -> traffic.retain(backends.stream().map(x -> x.backend().identifier()).toList()));
    // Micrometer is optional: its classes are loaded only when the host gave a registry.
    ClusterMetrics metrics = b.meterRegistry == null ? null : MicrometerMetrics.create(b.meterRegistry);
    if (metrics != null) {
      listeners.add(metrics);
      routeWatchers.add(metrics::routesPublished);
    }
    // The host's listener last: when it hears of a request, the cluster's own figures already count it.
    listeners.add(b.eventListener);
    Events events = new Events(listeners, routeWatchers);
    HealthProbe probe = !b.activeHealthChecks ? null : b.healthProbe != null ? b.healthProbe : new HttpHealthProbe(client);
    ClusterState.Polling polling = new ClusterState.Polling(b.configPollInterval, probe, b.healthCheckInterval,
        b.healthCheckTimeout, b.activeHealthChecks ? b.modelRefreshInterval : null,
        b.activeHealthChecks ? b.loadPollInterval : null, b.modelPullsPerBackend, b.modelPullsTotal);
    // A shared state is decided on with this instance's own beside it, for when the shared one fails.
    InMemoryLiveState local = b.liveState instanceof InMemoryLiveState given ? given
        : new InMemoryLiveState(b.clock, b.maxStickySessions, b.maxStickyKeyLength);
    FallbackLiveState fallback = b.liveState == null || b.liveState == local ? null
        : new FallbackLiveState(b.liveState, local);
    state = new ClusterState(store, balancers, client, polling, events, b.clock, fallback != null ? fallback : local,
        b.maxStickyKeyLength);
    TranslatorRegistry translators = new TranslatorRegistry(b.translators, FlowCluster.class.getClassLoader());
    engine = new ProxyEngine(state, events, b.stickyHeaders, b.maxAttempts, translators, b.clock, b.bodySpool,
        new BodyLog(state, b.logRequestBodies, b.logResponseBodies));
    if (metrics != null) metrics.sources(engine::queued, state::modelPulls);
    admin = new FlowAdmin(store, state, balancers, translators, b.clock, traffic, local,
        fallback == null ? () -> 0 : fallback::fallbacks, engine::queued);
    FlowHttpHandler proxy = new CorsHandler(b.allowedOrigins, exchange -> engine.serve(new HttpCall(exchange)));
    handler = b.adminBearerTokens.isEmpty() ? proxy : new AdminHandler(admin, b.adminBearerTokens, proxy);
    // Last, so that a builder refused above leaves no anchor behind.
    watchdogAnchor = OkioWatchdogAnchor.start(OkioWatchdogAnchor.DEFAULT_PERIOD);
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * The handler serving the Ollama and OpenAI routes; mount it with an adapter from
   * {@code core.http}. It answers {@code GET /} and {@code HEAD /} itself ("Ollama is running"),
   * and gives browsers from {@link Builder#allowedOrigins allowed origins} the CORS headers they
   * need. When the builder was given {@link Builder#adminBearerTokens admin tokens}, it also serves
   * OllamaFlow's REST admin API under {@code /v1.0/} on any Host, to any origin.
   */
  public FlowHttpHandler httpHandler() {
    return handler;
  }

  /**
   * In-process calls to the frontend whose {@code Hostname} is {@code frontendHost} (or the
   * catch-all when none matches; null for the catch-all), through the same pipeline as HTTP
   * requests. See {@link InProcessClient}.
   */
  public InProcessClient inProcess(String frontendHost) {
    return InProcessClients.over(engine, frontendHost);
  }

  /** Requests of this frontend waiting in the proxy for a backend slot now; 0 for an unknown frontend. */
  public int queuedRequests(String frontendIdentifier) {
    return engine.queued(frontendIdentifier);
  }

  /** A chat answer from the catch-all frontend, routed as an HTTP {@code POST /api/chat} would be. */
  public ChatResponse chat(ChatRequest request) {
    return inProcess(null).chat(request);
  }

  /**
   * A chat answer from the catch-all frontend, streamed as it is generated; closing the stream
   * early cancels the backend call. See {@link FlowStream}.
   */
  public FlowStream<ChatResponse> chatStream(ChatRequest request) {
    return inProcess(null).chatStream(request);
  }

  /** A completion from the catch-all frontend ({@code POST /api/generate}). */
  public GenerateResponse generate(GenerateRequest request) {
    return inProcess(null).generate(request);
  }

  /** A completion from the catch-all frontend, streamed; see {@link #chatStream}. */
  public FlowStream<GenerateResponse> generateStream(GenerateRequest request) {
    return inProcess(null).generateStream(request);
  }

  /** Embeddings from the catch-all frontend ({@code POST /api/embed}). */
  public EmbedResponse embed(EmbedRequest request) {
    return inProcess(null).embed(request);
  }

  /** The models the catch-all frontend's healthy backends hold, each once ({@code GET /api/tags}). */
  public List<ModelInfo> models() {
    return inProcess(null).models();
  }

  /** Typed management of this cluster's frontends, backends and sessions; the REST admin API's operations. */
  public FlowAdmin admin() {
    return admin;
  }

  /** The store this cluster reads; edits to it take effect within the poll interval, or at once after {@link #reload()}. */
  public ConfigStore configStore() {
    return store;
  }

  /** The health of every configured backend, by identifier. */
  public Map<String, HealthStatus> health() {
    return state.health();
  }

  /**
   * The pulls under way, queued, or finished since the last sync round, that bring backends the
   * models their frontends list in {@code RequiredModels}.
   */
  public List<ModelPull> modelPulls() {
    return state.modelPulls();
  }

  /** Applies the store's current contents now and returns when requests see them. */
  public void reload() {
    state.reload();
  }

  /**
   * Stops the cluster's threads and the HTTP client it created, after adding API key usage not yet
   * stored to the store. A store, live state or client supplied to the builder stays open: its
   * owner closes it.
   */
  @Override
  public void close() {
    state.close();
    watchdogAnchor.close();
    if (ownedClient != null) {
      ownedClient.dispatcher().executorService().shutdown();
      ownedClient.connectionPool().evictAll();
    }
  }

  private static OkHttpClient defaultClient() {
    return new OkHttpClient.Builder()
        .socketFactory(new NoDelaySockets())
        .connectTimeout(Duration.ofSeconds(5))
        // Backends (Go's and the JDK's servers among them) drop idle connections; leave them first.
        .connectionPool(new ConnectionPool(64, 20, TimeUnit.SECONDS))
        .followRedirects(false)
        .build();
  }

  /** Configures a {@link FlowCluster}; every setting is optional. */
  public static final class Builder {
    private ConfigStore configStore;
    private LiveState liveState;
    private OkHttpClient httpClient;
    private final List<LoadBalancerProvider> loadBalancers = new ArrayList<>();
    private FlowEventListener eventListener = FlowEventListener.NONE;
    private MeterRegistry meterRegistry;
    private List<String> stickyHeaders = DEFAULT_STICKY_HEADERS;
    private Duration configPollInterval = DEFAULT_CONFIG_POLL_INTERVAL;
    private HealthProbe healthProbe;
    private boolean activeHealthChecks = true;
    private Duration healthCheckInterval = DEFAULT_HEALTH_CHECK_INTERVAL;
    private Duration healthCheckTimeout = DEFAULT_HEALTH_CHECK_TIMEOUT;
    private Duration modelRefreshInterval = DEFAULT_MODEL_REFRESH_INTERVAL;
    private Duration loadPollInterval = DEFAULT_LOAD_POLL_INTERVAL;
    private Clock clock = Clock.systemUTC();
    private int modelPullsPerBackend = 1;
    private int modelPullsTotal = 4;
    private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
    private int maxStickySessions = DEFAULT_MAX_STICKY_SESSIONS;
    private int maxStickyKeyLength = DEFAULT_MAX_STICKY_KEY_LENGTH;
    private BodySpool bodySpool = new BodySpool(null, DEFAULT_REQUEST_BODY_MEMORY_BYTES, DEFAULT_REQUEST_BODY_DISK_BYTES);
    private List<String> adminBearerTokens = List.of();
    private AllowedOrigins allowedOrigins = AllowedOrigins.ollamaDefaultsPlus(List.of());
    private boolean logRequestBodies;
    private boolean logResponseBodies;
    private final List<ApiTranslator> translators = new ArrayList<>();

    private Builder() {}

    /** Where frontends and backends live; default: a new {@link InMemoryConfigStore}. */
    public Builder configStore(ConfigStore store) {
      this.configStore = Objects.requireNonNull(store, "configStore");
      return this;
    }

    /**
     * Where sticky sessions and windowed counters (API keys' requests and tokens per minute)
     * live; default: an {@link InMemoryLiveState} on this builder's clock and
     * {@link #stickySessionLimits}. A shared state (such as {@code PostgresLiveState}) makes
     * sessions and limits hold across instances; the cluster keeps an in-memory state beside it
     * and decides there whenever the shared one fails (see {@link FlowAdmin#liveStateFallbacks()}).
     * API keys' concurrent requests are always counted per instance. The host owns the state:
     * closing the cluster leaves it open.
     */
    public Builder liveState(LiveState state) {
      this.liveState = Objects.requireNonNull(state, "liveState");
      return this;
    }

    /**
     * The client for backend calls; default: one made for this cluster, with TCP_NODELAY on its
     * sockets (give your own client a socket factory that sets it, or large request bodies stall
     * on Nagle's algorithm). Per-frontend timeouts are applied with {@code newBuilder()}, so the
     * connection pool stays shared. Its {@code retryOnConnectionFailure} is turned off: a request
     * is sent again only by the cluster's own retry policy.
     */
    public Builder httpClient(OkHttpClient client) {
      this.httpClient = Objects.requireNonNull(client, "httpClient");
      return this;
    }

    /**
     * Adds a load-balancing policy. It wins over a built-in or ServiceLoader-discovered policy of
     * the same name.
     */
    public Builder loadBalancer(LoadBalancerProvider provider) {
      loadBalancers.add(Objects.requireNonNull(provider, "loadBalancer"));
      return this;
    }

    /**
     * Adds a translator between two API dialects. It wins over the built-in one
     * ({@link ApiTranslators}) or a ServiceLoader-discovered one for the same pair of dialects.
     */
    public Builder translator(ApiTranslator translator) {
      translators.add(Objects.requireNonNull(translator, "translator"));
      return this;
    }

    /**
     * Observes requests; default {@link FlowEventListener#NONE}. Called after the cluster's own
     * recorders (metrics, the dashboard's traffic), so an event heard here is already counted there.
     */
    public Builder eventListener(FlowEventListener listener) {
      this.eventListener = Objects.requireNonNull(listener, "eventListener");
      return this;
    }

    /**
     * Records the cluster's metrics in this registry (Micrometer, an optional dependency): requests
     * by frontend, backend, model, kind and status, latency and time-to-first-token histograms,
     * token usage, failovers, refusals, and per-backend gauges; the README lists them. Default:
     * none, and no Micrometer class is loaded.
     */
    public Builder meterRegistry(MeterRegistry registry) {
      this.meterRegistry = Objects.requireNonNull(registry, "meterRegistry");
      return this;
    }

    /** Headers that key sticky sessions, first non-empty wins; default {@link #DEFAULT_STICKY_HEADERS}. */
    public Builder stickyHeaders(List<String> headers) {
      this.stickyHeaders = List.copyOf(headers);
      return this;
    }

    /**
     * Bounds on sticky sessions, whose keys clients choose: at most {@code maxSessions} are kept
     * (default 100,000; past it the least recently used tenth is evicted, see
     * {@link FlowAdmin#stickySessionEvictions()}), and a client key longer than
     * {@code maxKeyLength} characters (default 256, at least 71) is kept as its SHA-256. The cap
     * bounds the default in-memory live state, or the local one kept beside a shared
     * {@link #liveState}; the key bound applies before any live state sees a key.
     */
    public Builder stickySessionLimits(int maxSessions, int maxKeyLength) {
      StickySessions.checkLimits(maxSessions, maxKeyLength);
      this.maxStickySessions = maxSessions;
      this.maxStickyKeyLength = maxKeyLength;
      return this;
    }

    /**
     * Where request bodies wait: every body is read whole before its request takes a backend slot,
     * so a slow upload never holds one. Each body keeps up to 256 KiB on the heap while the heap
     * held by all bodies stays within {@code maxMemoryBytes} (default 64 MiB), the rest in a
     * temporary file in {@code directory} (null, the default: the JVM's temporary directory),
     * deleted when the request ends, while all such files stay within {@code maxDiskBytes}
     * (default 4 GiB). A body that would exceed both is refused with 503 ({@code BODY_SPOOL_FULL}).
     * One body is also bounded by its frontend's {@code MaxRequestBodySize}.
     */
    public Builder requestBodySpool(Path directory, long maxMemoryBytes, long maxDiskBytes) {
      this.bodySpool = new BodySpool(directory, maxMemoryBytes, maxDiskBytes);
      return this;
    }

    /** How often the store's revision is checked for edits made elsewhere; default 1 s. */
    public Builder configPollInterval(Duration interval) {
      this.configPollInterval = positive("configPollInterval", interval);
      return this;
    }

    /**
     * How backends are probed; default: an HTTP request with each backend's
     * {@code HealthCheckMethod} and {@code HealthCheckUrl}, healthy on any 2xx answer.
     */
    public Builder healthProbe(HealthProbe probe) {
      this.healthProbe = Objects.requireNonNull(probe, "healthProbe");
      return this;
    }

    /**
     * Turns the cluster's own background requests off: health probes and model listing. Health is
     * then judged from live traffic alone (a backend ejected by failures never comes back until the
     * configuration changes) and every backend counts as possibly holding any model. Meant for
     * tests and for hosts that run their own checks.
     */
    public Builder disableActiveHealthChecks() {
      this.activeHealthChecks = false;
      return this;
    }

    /** Time between two probes of one backend; default 5 s. */
    public Builder healthCheckInterval(Duration interval) {
      this.healthCheckInterval = positive("healthCheckInterval", interval);
      return this;
    }

    /**
     * Time between two listings of one backend's models ({@code /api/tags} and {@code /api/ps}, or
     * {@code /v1/models}); default 15 s. A backend that turns healthy is listed at once.
     */
    public Builder modelRefreshInterval(Duration interval) {
      this.modelRefreshInterval = positive("modelRefreshInterval", interval);
      return this;
    }

    /**
     * Time between two readings of one backend's own report of its load: {@code /api/ps} of an
     * Ollama (models in memory, including those loaded by traffic that bypasses this cluster),
     * {@code /metrics} and {@code /slots} of an OpenAI-format server (vLLM's and llama.cpp's running
     * and waiting requests, llama.cpp's slots); default 2 s. Off with
     * {@link #disableActiveHealthChecks()}.
     */
    public Builder loadPollInterval(Duration interval) {
      this.loadPollInterval = positive("loadPollInterval", interval);
      return this;
    }

    /**
     * The clock that dates what the cluster records and decides by: sticky-session expiry, model
     * keep-alive, health transitions, pull progress, {@code LastUpdateUtc}; default the system UTC
     * clock. Tests pass a clock they move by hand. Timeouts ({@code TimeoutMs}, probe and queue
     * waits) run on the monotonic {@link System#nanoTime()}, which a clock cannot stand in for.
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * How many {@code RequiredModels} pulls may run at once on one backend, and across the
     * cluster; default 1 and 4. Pulls are heavy on disk and network, not on the GPU.
     */
    public Builder modelPulls(int perBackend, int total) {
      if (perBackend < 1 || total < 1) {
        throw new IllegalArgumentException("modelPulls: " + perBackend + ", " + total + " (expected: >= 1 each)");
      }
      this.modelPullsPerBackend = perBackend;
      this.modelPullsTotal = total;
      return this;
    }

    /** Longest wait for a probe's answer; default 2.5 s. */
    public Builder healthCheckTimeout(Duration timeout) {
      this.healthCheckTimeout = positive("healthCheckTimeout", timeout);
      return this;
    }

    /**
     * Attempts per request, each on a backend not tried before, while nothing has been sent to
     * the client; default 3. Frontends with {@code AllowRetries=false} make one attempt.
     */
    public Builder maxAttempts(int attempts) {
      if (attempts < 1) throw new IllegalArgumentException("maxAttempts: " + attempts + " (expected: >= 1)");
      this.maxAttempts = attempts;
      return this;
    }

    /**
     * Turns the REST admin API on: {@link FlowCluster#httpHandler()} then serves OllamaFlow's
     * {@code /v1.0/} routes to callers sending {@code Authorization: Bearer <token>} with one of
     * these tokens. Default: none, and {@code /v1.0/} paths get the proxy's 404.
     */
    public Builder adminBearerTokens(List<String> tokens) {
      Objects.requireNonNull(tokens, "adminBearerTokens");
      for (String token : tokens) {
        if (token == null || token.isBlank()) {
          throw new IllegalArgumentException("adminBearerTokens: contains an empty token (expected: non-empty strings)");
        }
      }
      this.adminBearerTokens = List.copyOf(tokens);
      return this;
    }

    /**
     * Browser origins allowed to call the Ollama and OpenAI routes, besides Ollama's own defaults
     * (pages from localhost, 127.0.0.1 or 0.0.0.0 on any port, and the {@code app://},
     * {@code file://}, {@code tauri://}, {@code vscode-webview://} and {@code vscode-file://}
     * schemes), as {@code OLLAMA_ORIGINS} adds to them: exact origins
     * ({@code https://chat.example.com}), patterns with one {@code *}
     * ({@code https://*.example.com}), or {@code *} for any. Requests from other origins get 403.
     */
    public Builder allowedOrigins(List<String> origins) {
      this.allowedOrigins = AllowedOrigins.ollamaDefaultsPlus(Objects.requireNonNull(origins, "allowedOrigins"));
      return this;
    }

    /**
     * Writes every request's body ({@code requests}) and every answer's body ({@code responses})
     * to the log at info, on logger {@code ollamaflow.bodies}: the first 8192 bytes of each,
     * credentials redacted (JSON members named like one, bearer tokens). A frontend's or a
     * backend's {@code logRequestBody} / {@code logResponseBody} turns the same on for the requests
     * it serves only.
     * Default: off.
     */
    public Builder logBodies(boolean requests, boolean responses) {
      this.logRequestBodies = requests;
      this.logResponseBodies = responses;
      return this;
    }

    private static Duration positive(String name, Duration value) {
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
      }
      return value;
    }

    /** Reads the store and returns a cluster that is ready to serve. */
    public FlowCluster build() {
      OkHttpVersionCheck.requireSupportedOkHttp();
      return new FlowCluster(this);
    }
  }
}
