package io.ollamaflow.core;

import io.ollamaflow.api.ApiFormat;
import io.ollamaflow.api.ApiKey;
import io.ollamaflow.api.ApiKeyUsage;
import io.ollamaflow.api.Backend;
import io.ollamaflow.api.ConfigStore;
import io.ollamaflow.api.ErrorCode;
import io.ollamaflow.api.FlowException;
import io.ollamaflow.api.Frontend;
import io.ollamaflow.api.HealthState;
import io.ollamaflow.api.HealthStatus;
import io.ollamaflow.api.LiveState;
import io.ollamaflow.api.StoreUnavailableException;
import io.ollamaflow.core.internal.ClusterState;
import io.ollamaflow.core.internal.admin.ApiKeySecrets;
import io.ollamaflow.core.internal.admin.Secrets;
import io.ollamaflow.core.internal.metrics.RecentTraffic;
import io.ollamaflow.core.internal.models.ModelInventory;
import io.ollamaflow.core.internal.routing.BackendState;
import io.ollamaflow.core.internal.routing.LoadBalancerRegistry;
import io.ollamaflow.core.internal.translation.TranslatorRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.ToIntFunction;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Manages a running cluster: the operations of OllamaFlow's {@code /v1.0} admin API, typed, for
 * host applications. Obtain it from {@link FlowCluster#admin()}; the REST admin API is built on it.
 *
 * <p>Every write is checked before anything is stored, so an invalid object never reaches the
 * {@link ConfigStore}: a create of an existing identifier is {@link ErrorCode#CONFLICT}, an
 * update or delete of a missing one {@link ErrorCode#NOT_FOUND}, a frontend naming a backend
 * that does not exist or a load-balancing policy that is not registered
 * {@link ErrorCode#BAD_REQUEST}, and deleting a backend that a frontend still lists
 * {@link ErrorCode#CONFLICT} naming those frontends (likewise a frontend that an API key lists).
 * A write that passes is stored and then applied to the cluster before the call returns, so the
 * next request routes by it. Requests already in flight finish on the configuration they started
 * with, streams included.
 *
 * <p>API keys ({@link #createApiKey}) are issued here: the secret is generated on the server and
 * returned once, in an {@link IssuedApiKey}; the store keeps its prefix and hash.
 *
 * <p>Objects are returned as stored, secrets included ({@link Backend#toString()} masks them).
 * An update whose {@code bearerToken}, or whose value of a header named like a credential
 * ({@code Authorization}, {@code X-Api-Key}, ...), is the redacted placeholder {@code "********"}
 * keeps the stored value: OllamaFlow's UI and SDK send back whole the objects the REST API showed
 * them redacted.
 *
 * <p>Threading: safe for concurrent use. Writes go through the cluster's one config writer (the
 * same path as the RequiredModels edits of pulls and deletes), so check-then-write is atomic
 * against every other write made through this cluster; it is not atomic against other processes
 * writing the same store. Calls block on the store and on applying the change. A store or shared
 * live state whose database cannot be reached makes a call throw
 * {@link StoreUnavailableException} (the REST admin API answers 503); nothing is stored then.
 */
public final class FlowAdmin {
  private static final Comparator<Frontend> FRONTENDS_NEWEST_FIRST =
      Comparator.comparing(Frontend::createdUtc).reversed().thenComparing(Frontend::identifier);
  private static final Comparator<Backend> BACKENDS_NEWEST_FIRST =
      Comparator.comparing(Backend::createdUtc).reversed().thenComparing(Backend::identifier);
  private static final Comparator<ApiKey> API_KEYS_NEWEST_FIRST =
      Comparator.comparing(ApiKey::createdUtc).reversed().thenComparing(ApiKey::identifier);

  private final ConfigStore store;
  private final ClusterState state;
  private final LoadBalancerRegistry balancers;
  private final TranslatorRegistry translators;
  private final Clock clock;
  private final RecentTraffic traffic;
  private final InMemoryLiveState localState;
  private final LongSupplier liveStateFallbacks;
  private final ToIntFunction<String> queuedByFrontend;

  FlowAdmin(ConfigStore store, ClusterState state, LoadBalancerRegistry balancers, TranslatorRegistry translators,
      Clock clock, RecentTraffic traffic, InMemoryLiveState localState, LongSupplier liveStateFallbacks,
      ToIntFunction<String> queuedByFrontend) {
    this.queuedByFrontend = queuedByFrontend;
    this.localState = localState;
    this.liveStateFallbacks = liveStateFallbacks;
    this.store = store;
    this.state = state;
    this.balancers = balancers;
    this.translators = translators;
    this.clock = clock;
    this.traffic = traffic;
  }

  /** Every frontend, newest first (by {@code createdUtc}), as OllamaFlow lists them. */
  public List<Frontend> frontends() {
    return store.frontends().stream().sorted(FRONTENDS_NEWEST_FIRST).toList();
  }

  public Optional<Frontend> frontend(String identifier) {
    return store.frontend(Objects.requireNonNull(identifier, "identifier"));
  }

  /**
   * Stores a new frontend and applies it; returns it as stored.
   *
   * @throws FlowException {@link ErrorCode#CONFLICT} if the identifier exists,
   *     {@link ErrorCode#BAD_REQUEST} for an unknown backend or policy
   */
  public Frontend createFrontend(Frontend frontend) {
    Objects.requireNonNull(frontend, "frontend");
    return write(() -> {
      if (store.frontend(frontend.identifier()).isPresent()) throw exists("frontend", frontend.identifier());
      checkReferences(frontend);
      store.putFrontend(frontend);
      return readBack(store::frontend, frontend.identifier());
    });
  }

  /**
   * Replaces a frontend whole and applies it; returns it as stored. The stored {@code createdUtc}
   * is kept and {@code lastUpdateUtc} becomes now, whatever the argument says.
   *
   * @throws FlowException {@link ErrorCode#NOT_FOUND} if there is no such frontend,
   *     {@link ErrorCode#BAD_REQUEST} for an unknown backend or policy
   */
  public Frontend updateFrontend(Frontend frontend) {
    Objects.requireNonNull(frontend, "frontend");
    return write(() -> {
      Frontend stored = store.frontend(frontend.identifier())
          .orElseThrow(() -> missing("frontend", frontend.identifier()));
      checkReferences(frontend);
      store.putFrontend(frontend.toBuilder().createdUtc(stored.createdUtc()).lastUpdateUtc(clock.instant()).build());
      return readBack(store::frontend, frontend.identifier());
    });
  }

  /**
   * Deletes a frontend and applies the change; its sticky sessions go with it.
   *
   * @throws FlowException {@link ErrorCode#NOT_FOUND} if there is no such frontend,
   *     {@link ErrorCode#CONFLICT} if an API key lists it
   */
  public void deleteFrontend(String identifier) {
    Objects.requireNonNull(identifier, "identifier");
    write(() -> {
      if (store.frontend(identifier).isEmpty()) throw missing("frontend", identifier);
      refuseWhileListed("frontend", identifier, "API key", store.apiKeys(), ApiKey::frontends, ApiKey::identifier,
          "Frontends");
      store.removeFrontend(identifier);
      return null;
    });
  }

  /** Every backend, newest first (by {@code createdUtc}), as OllamaFlow lists them. */
  public List<Backend> backends() {
    return store.backends().stream().sorted(BACKENDS_NEWEST_FIRST).toList();
  }

  public Optional<Backend> backend(String identifier) {
    return store.backend(Objects.requireNonNull(identifier, "identifier"));
  }

  /**
   * Stores a new backend and applies it (it is routable at once and probed from now on); returns
   * it as stored.
   *
   * @throws FlowException {@link ErrorCode#CONFLICT} if the identifier exists,
   *     {@link ErrorCode#BAD_REQUEST} if a secret is the redacted placeholder
   */
  public Backend createBackend(Backend backend) {
    Objects.requireNonNull(backend, "backend");
    return write(() -> {
      if (store.backend(backend.identifier()).isPresent()) throw exists("backend", backend.identifier());
      checkFormat(backend);
      store.putBackend(Secrets.keepStoredSecrets(backend, null));
      return readBack(store::backend, backend.identifier());
    });
  }

  /**
   * Replaces a backend whole and applies it; returns it as stored. The stored {@code createdUtc}
   * is kept, {@code lastUpdateUtc} becomes now, and redacted placeholders keep the stored secrets.
   * Health is kept unless the address changes.
   *
   * @throws FlowException {@link ErrorCode#NOT_FOUND} if there is no such backend,
   *     {@link ErrorCode#BAD_REQUEST} if a placeholder stands for a secret that is not stored
   */
  public Backend updateBackend(Backend backend) {
    Objects.requireNonNull(backend, "backend");
    return write(() -> {
      Backend stored = store.backend(backend.identifier()).orElseThrow(() -> missing("backend", backend.identifier()));
      checkFormat(backend);
      Backend withSecrets = Secrets.keepStoredSecrets(backend, stored);
      store.putBackend(withSecrets.toBuilder().createdUtc(stored.createdUtc()).lastUpdateUtc(clock.instant()).build());
      return readBack(store::backend, backend.identifier());
    });
  }

  /**
   * Deletes a backend and applies the change: no new request goes to it, requests in flight
   * finish, and its sticky sessions are dropped.
   *
   * @throws FlowException {@link ErrorCode#NOT_FOUND} if there is no such backend,
   *     {@link ErrorCode#CONFLICT} if a frontend still lists it
   */
  public void deleteBackend(String identifier) {
    Objects.requireNonNull(identifier, "identifier");
    write(() -> {
      if (store.backend(identifier).isEmpty()) throw missing("backend", identifier);
      refuseWhileListed("backend", identifier, "frontend", store.frontends(), Frontend::backends, Frontend::identifier,
          "Backends");
      store.removeBackend(identifier);
      return null;
    });
  }

  /** Every API key, newest first (by {@code createdUtc}); they hold a prefix and a hash, never the secret. */
  public List<ApiKey> apiKeys() {
    return store.apiKeys().stream().sorted(API_KEYS_NEWEST_FIRST).toList();
  }

  public Optional<ApiKey> apiKey(String identifier) {
    return store.apiKey(Objects.requireNonNull(identifier, "identifier"));
  }

  /**
   * Issues a new API key with these settings: a fresh secret is generated and set on the builder,
   * and {@code createdUtc} and {@code lastUpdateUtc} become now. The secret is in the answer and
   * nowhere else: the store keeps its hash.
   *
   * @throws FlowException {@link ErrorCode#CONFLICT} if the identifier exists,
   *     {@link ErrorCode#BAD_REQUEST} for a frontend that does not exist or an expiry that has passed
   */
  public IssuedApiKey createApiKey(ApiKey.Builder settings) {
    Objects.requireNonNull(settings, "settings");
    String secret = ApiKeySecrets.issue();
    Instant now = clock.instant();
    ApiKey key = settings.secret(secret).createdUtc(now).lastUpdateUtc(now).build();
    return writeKeys(() -> {
      if (store.apiKey(key.identifier()).isPresent()) throw exists("API key", key.identifier());
      checkReferences(key);
      if (key.isExpiredAt(now)) {
        throw new FlowException(ErrorCode.BAD_REQUEST, "ExpiresUtc: \"" + ConfigJson.time(key.expiresUtc().orElseThrow())
            + "\" is not in the future (expected: a later time, or leave it out for a key that does not expire)");
      }
      store.putApiKey(key);
      return new IssuedApiKey(readBack(store::apiKey, key.identifier()), secret);
    });
  }

  /**
   * Replaces an API key's settings whole, keeping its secret; returns it as stored. The stored
   * {@code createdUtc} is kept and {@code lastUpdateUtc} becomes now. An expiry in the past is
   * accepted here: it is how a key is made to expire at once.
   *
   * @throws FlowException {@link ErrorCode#NOT_FOUND} if there is no such key,
   *     {@link ErrorCode#BAD_REQUEST} for a frontend that does not exist, or when the key carries
   *     another secret than the stored one (a new secret comes from {@link #rotateApiKey})
   */
  public ApiKey updateApiKey(ApiKey key) {
    Objects.requireNonNull(key, "key");
    return writeKeys(() -> {
      ApiKey stored = store.apiKey(key.identifier()).orElseThrow(() -> missing("API key", key.identifier()));
      if (!stored.keyHash().equals(key.keyHash())) {
        throw new FlowException(ErrorCode.BAD_REQUEST, "the secret of API key '" + key.identifier()
            + "' cannot be changed by an update (expected: the key as read; rotateApiKey issues a new secret)");
      }
      checkReferences(key);
      store.putApiKey(key.toBuilder().createdUtc(stored.createdUtc()).lastUpdateUtc(clock.instant()).build());
      return readBack(store::apiKey, key.identifier());
    });
  }

  /**
   * Gives an API key a new secret; the old one stops working at once. Settings and usage are kept.
   *
   * @throws FlowException {@link ErrorCode#NOT_FOUND} if there is no such key
   */
  public IssuedApiKey rotateApiKey(String identifier) {
    Objects.requireNonNull(identifier, "identifier");
    String secret = ApiKeySecrets.issue();
    return writeKeys(() -> {
      ApiKey stored = store.apiKey(identifier).orElseThrow(() -> missing("API key", identifier));
      store.putApiKey(stored.toBuilder().secret(secret).lastUpdateUtc(clock.instant()).build());
      return new IssuedApiKey(readBack(store::apiKey, identifier), secret);
    });
  }

  /**
   * Deletes an API key and its usage; the next request with it is refused. Requests already
   * under way with it finish.
   *
   * @throws FlowException {@link ErrorCode#NOT_FOUND} if there is no such key
   */
  public void deleteApiKey(String identifier) {
    Objects.requireNonNull(identifier, "identifier");
    writeKeys(() -> {
      if (!store.removeApiKey(identifier)) throw missing("API key", identifier);
      return null;
    });
  }

  /**
   * What each API key has used since it was created, ordered by identifier; keys never used show
   * zeros. Includes this instance's usage not yet added to the store (that is done every few
   * seconds, in batches).
   */
  public List<ApiKeyUsage> apiKeyUsage() {
    Map<String, ApiKeyUsage> used = usageByKey();
    return store.apiKeys().stream().map(ApiKey::identifier).sorted().map(id -> usageOf(used, id)).toList();
  }

  /**
   * What one API key has used since it was created; zeros if never used.
   *
   * @throws FlowException {@link ErrorCode#NOT_FOUND} if there is no such key
   */
  public ApiKeyUsage apiKeyUsage(String identifier) {
    if (store.apiKey(Objects.requireNonNull(identifier, "identifier")).isEmpty()) throw missing("API key", identifier);
    return usageOf(usageByKey(), identifier);
  }

  /** The usage totals the store holds plus what this instance has not flushed yet, by key. */
  private Map<String, ApiKeyUsage> usageByKey() {
    return state.keyUsage().totals().stream().collect(Collectors.toMap(ApiKeyUsage::identifier, u -> u));
  }

  private static ApiKeyUsage usageOf(Map<String, ApiKeyUsage> used, String identifier) {
    return used.getOrDefault(identifier, new ApiKeyUsage(identifier, 0, 0, 0, 0, null));
  }

  /** The live state of every backend the cluster has applied, newest first like {@link #backends()}. */
  public List<BackendHealth> health() {
    Collection<BackendState> states = state.backendStates().values();
    Map<String, Set<String>> digests = digestsByModel(states);
    List<ModelPull> pulls = state.modelPulls();
    return states.stream()
        .map(b -> new BackendHealth(b, digests, pulls, clock.instant(), traffic))
        .sorted(Comparator.comparing((BackendHealth h) -> h.backend().createdUtc()).reversed()
            .thenComparing(h -> h.backend().identifier()))
        .toList();
  }

  /** The live state of one backend; empty if the cluster has no such backend. */
  public Optional<BackendHealth> health(String backendIdentifier) {
    Objects.requireNonNull(backendIdentifier, "backendIdentifier");
    Map<String, BackendState> states = state.backendStates();
    BackendState backend = states.get(backendIdentifier);
    return backend == null ? Optional.empty()
        : Optional.of(new BackendHealth(backend, digestsByModel(states.values()), state.modelPulls(), clock.instant(),
            traffic));
  }

  /**
   * Starts a RequiredModels sync round now instead of at the next tick; the pulls it starts show
   * in {@link #health()}.
   *
   * @throws FlowException {@link ErrorCode#NOT_FOUND} if the frontend does not exist
   */
  public void syncModels(String frontendIdentifier) {
    if (store.frontend(frontendIdentifier).isEmpty()) throw missing("frontend", frontendIdentifier);
    state.syncModelsNow();
  }

  /** Every digest seen for each model across backends: more than one means the same name is not the same model. */
  private static Map<String, Set<String>> digestsByModel(Collection<BackendState> states) {
    Map<String, Set<String>> digests = new HashMap<>();
    for (BackendState backend : states) {
      backend.models().inventory().installed().forEach((model, digest) -> {
        if (!digest.isEmpty()) digests.computeIfAbsent(model, m -> new TreeSet<>()).add(digest);
      });
    }
    return digests;
  }

  /**
   * The sticky sessions that have not expired, ordered by frontend, then client key: every
   * instance's when the live state is shared.
   *
   * @throws StoreUnavailableException when the shared live state cannot be reached
   */
  public List<StickySession> sessions() {
    return state.live().sessions().stream().map(StickySession::new).toList();
  }

  /**
   * Sticky sessions evicted from this instance's in-memory state since start because their cap was
   * reached (see {@code FlowCluster.Builder#stickySessionLimits}).
   */
  public long stickySessionEvictions() {
    return localState.evictions();
  }

  /**
   * Sticky-session and counter decisions this instance made on its local state because the shared
   * live state failed or was being left alone after a failure; 0 without a shared state.
   */
  public long liveStateFallbacks() {
    return liveStateFallbacks.getAsLong();
  }

  /**
   * Requests of this frontend waiting in this instance for a backend slot (its backends' capacity
   * is taken); 0 for an unknown frontend.
   */
  public int queuedRequests(String frontendIdentifier) {
    return queuedByFrontend.applyAsInt(Objects.requireNonNull(frontendIdentifier, "frontendIdentifier"));
  }

  /** Requests refused since start for a missing, malformed or unknown API key (one count, not per key). */
  public long apiKeyRefusalsWithoutKey() {
    return state.keyUsage().refusalsWithoutKey();
  }

  /**
   * Ends sticky sessions: those of one frontend, or all of them when {@code frontendIdentifier} is
   * null. The clients' next requests are balanced afresh. Returns how many sessions ended.
   *
   * @throws FlowException {@link ErrorCode#NOT_FOUND} if the frontend does not exist
   * @throws StoreUnavailableException when the shared live state cannot be reached
   */
  public int clearSessions(String frontendIdentifier) {
    if (frontendIdentifier != null && store.frontend(frontendIdentifier).isEmpty()) {
      throw missing("frontend", frontendIdentifier);
    }
    return state.live().clearSessions(Optional.ofNullable(frontendIdentifier));
  }

  /** Work done through the cluster's one config writer, which applies the store's new content before returning. */
  private <T> T write(Supplier<T> work) {
    return state.writer().write(work);
  }

  /** A write of API keys; a store written before keys existed refuses it, which is said plainly. */
  private <T> T writeKeys(Supplier<T> work) {
    try {
      return write(work);
    } catch (UnsupportedOperationException e) {
      throw new FlowException(ErrorCode.INTERNAL, e.getMessage() + " (expected: a ConfigStore that implements the"
          + " API key methods, such as InMemoryConfigStore, SqliteConfigStore or PostgresConfigStore)");
    }
  }

  /** A format no translator or built-in knows would leave the backend serving no route at all. */
  private void checkFormat(Backend backend) {
    Set<ApiFormat> known = translators.formats();
    if (!known.contains(backend.apiFormat())) {
      throw new FlowException(ErrorCode.BAD_REQUEST, "ApiFormat: \"" + backend.apiFormat() + "\" is not a known format"
          + " (expected: one of " + known.stream().map(ApiFormat::name).collect(Collectors.joining(", ")) + ")");
    }
  }

  private void checkReferences(Frontend frontend) {
    if (balancers.find(frontend.loadBalancing()) == null) {
      throw new FlowException(ErrorCode.BAD_REQUEST, "LoadBalancing: \"" + frontend.loadBalancing()
          + "\" is not a known policy (expected: one of " + String.join(", ", new TreeSet<>(balancers.names())) + ")");
    }
    Set<String> known = store.backends().stream().map(Backend::identifier).collect(Collectors.toSet());
    List<String> unknown = frontend.backends().stream().filter(id -> !known.contains(id)).toList();
    if (!unknown.isEmpty()) {
      throw new FlowException(ErrorCode.BAD_REQUEST, "Backends: " + quoted(unknown)
          + (unknown.size() == 1 ? " is not a configured backend" : " are not configured backends")
          + " (expected: identifiers of existing backends; create them first)");
    }
  }

  private void checkReferences(ApiKey key) {
    Set<String> known = store.frontends().stream().map(Frontend::identifier).collect(Collectors.toSet());
    List<String> unknown = key.frontends().stream().filter(id -> !known.contains(id)).toList();
    if (!unknown.isEmpty()) {
      throw new FlowException(ErrorCode.BAD_REQUEST, "Frontends: " + quoted(unknown)
          + (unknown.size() == 1 ? " is not a configured frontend" : " are not configured frontends")
          + " (expected: identifiers of existing frontends, or [] for every frontend)");
    }
  }

  private static <T> T readBack(Function<String, Optional<T>> read, String identifier) {
    return read.apply(identifier).orElseThrow(() -> new FlowException(ErrorCode.INTERNAL,
        "'" + identifier + "' was written but the store does not return it"));
  }

  private static FlowException exists(String kind, String identifier) {
    String article = "aeiouAEIOU".indexOf(kind.charAt(0)) >= 0 ? "an " : "a ";
    return new FlowException(ErrorCode.CONFLICT, article + kind + " with identifier '" + identifier + "' already exists");
  }

  /** Refuses deleting {@code identifier} while any of {@code users} lists it in its {@code field}: 409 naming them. */
  private static <T> void refuseWhileListed(String kind, String identifier, String userKind, List<T> users,
      Function<T, List<String>> listed, Function<T, String> userIdentifier, String field) {
    List<String> listing = users.stream()
        .filter(user -> listed.apply(user).contains(identifier))
        .map(userIdentifier)
        .sorted()
        .toList();
    if (listing.isEmpty()) return;
    throw new FlowException(ErrorCode.CONFLICT, kind + " '" + identifier + "' is used by " + userKind
        + (listing.size() == 1 ? " " : "s ") + quoted(listing) + " (remove it from their " + field + " first)");
  }

  private static FlowException missing(String kind, String identifier) {
    return new FlowException(ErrorCode.NOT_FOUND, "no " + kind + " with identifier '" + identifier + "'");
  }

  private static String quoted(List<String> identifiers) {
    return identifiers.stream().map(id -> "'" + id + "'").collect(Collectors.joining(", "));
  }

  /**
   * An API key as stored and its secret, which exists only in this answer: the store keeps a hash.
   * Hand the secret to the client once; {@link #toString()} does not show it.
   */
  public record IssuedApiKey(ApiKey key, String secret) {
    public IssuedApiKey {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(secret, "secret");
    }

    @Override
    public String toString() {
      return "IssuedApiKey{" + key + ", secret=****}";
    }
  }

  /**
   * One backend's live state: its configuration, health and load. A snapshot; it does not change
   * as the backend does.
   */
  public static final class BackendHealth {
    private final Backend backend;
    private final HealthStatus health;
    private final int activeRequests;
    private final int concurrencyLimit;
    private final int externalLoad;
    private final boolean modelsKnown;
    private final Map<String, String> installedModels;
    private final Map<String, Instant> loadedModels;
    private final List<String> digestConflicts;
    private final List<ModelPull> pulls;
    private final List<TrafficBucket> traffic;

    private BackendHealth(BackendState state, Map<String, Set<String>> digestsByModel, List<ModelPull> allPulls,
        Instant now, RecentTraffic recent) {
      this.backend = state.backend();
      this.health = state.health();
      this.activeRequests = state.activeRequests();
      this.concurrencyLimit = state.concurrencyLimit();
      this.externalLoad = state.externalLoad();
      this.traffic = TrafficBucket.of(recent.of(backend.identifier()), now);
      ModelInventory inventory = state.models().inventory();
      this.modelsKnown = inventory.known();
      this.installedModels = new TreeMap<>(inventory.installed());
      Map<String, Instant> loaded = new TreeMap<>();
      inventory.loadedUntil().forEach((model, until) -> {
        if (until.isAfter(now)) loaded.put(model, until);
      });
      this.loadedModels = loaded;
      this.digestConflicts = installedModels.keySet().stream()
          .filter(m -> digestsByModel.getOrDefault(m, Set.of()).size() > 1).toList();
      this.pulls = allPulls.stream().filter(p -> p.backendId().equals(backend.identifier())).toList();
    }

    /** The configuration the cluster routes by, secrets included. */
    public Backend backend() { return backend; }
    /** State, since when, and the last failure seen. */
    public HealthStatus health() { return health; }
    /** True unless the backend is {@link HealthState#UNHEALTHY}: a backend not yet probed is routable. */
    public boolean healthy() { return health.state() != HealthState.UNHEALTHY; }
    /** Requests being served by the backend now. */
    public int activeRequests() { return activeRequests; }
    /** Requests it is sent at once: MaxParallelRequests, or fewer where it was measured to queue. */
    public int concurrencyLimit() { return concurrencyLimit; }
    /** Requests it last reported running or waiting that this cluster did not send. */
    public int externalLoad() { return externalLoad; }
    /** False until the backend's models were listed once. */
    public boolean modelsKnown() { return modelsKnown; }
    /** Installed models (canonical names) and their digests; a digest is empty when the backend does not give one. */
    public Map<String, String> installedModels() { return installedModels; }
    /** Models in memory now, and until when. */
    public Map<String, Instant> loadedModels() { return loadedModels; }
    /** Models this backend holds under a name another backend uses for a different digest. */
    public List<String> digestConflicts() { return digestConflicts; }
    /** RequiredModels pulls onto this backend: queued, running, or finished since the last sync round. */
    public List<ModelPull> pulls() { return pulls; }
    /** The backend's traffic through this cluster over the last five minutes, oldest bucket first. */
    public List<TrafficBucket> traffic() { return traffic; }

    @Override
    public String toString() {
      return backend.identifier() + "(" + health + ", " + activeRequests + " active)";
    }
  }

  /**
   * One backend's traffic in one time bucket: requests that ended in it, those that failed
   * (answered 5xx or not at all), and their mean latency and time to first byte (zero without requests).
   */
  public record TrafficBucket(Instant start, Duration length, long requests, long errors, Duration meanLatency,
      Duration meanTimeToFirstByte) {
    static List<TrafficBucket> of(List<RecentTraffic.Bucket> buckets, Instant now) {
      long current = now.toEpochMilli() / RecentTraffic.BUCKET.toMillis();
      List<TrafficBucket> result = new ArrayList<>(buckets.size());
      for (int i = 0; i < buckets.size(); i++) {
        RecentTraffic.Bucket b = buckets.get(i);
        result.add(new TrafficBucket(RecentTraffic.start(current - buckets.size() + 1 + i), RecentTraffic.BUCKET,
            b.requests(), b.errors(), mean(b.latencyNanos(), b.requests()), mean(b.firstByteNanos(), b.firstBytes())));
      }
      return List.copyOf(result);
    }

    private static Duration mean(long totalNanos, long count) {
      return count == 0 ? Duration.ZERO : Duration.ofNanos(totalNanos / count);
    }
  }

  /** A client bound to a backend of a frontend by sticky sessions. A snapshot. */
  public static final class StickySession {
    private final LiveState.Session session;

    private StickySession(LiveState.Session session) {
      this.session = session;
    }

    public String frontendId() { return session.frontendId(); }
    /** The value of the first non-empty sticky header, else the client's IP address. */
    public String clientKey() { return session.clientKey(); }
    public String backendId() { return session.backendId(); }
    public Instant createdUtc() { return session.createdUtc(); }
    /** When the session ends unless the client sends another request first. */
    public Instant expiresUtc() { return session.expiresUtc(); }
    public Instant lastAccessUtc() { return session.lastAccessUtc(); }

    @Override
    public String toString() {
      return session.frontendId() + "/" + session.clientKey() + " -> " + session.backendId();
    }
  }
}
