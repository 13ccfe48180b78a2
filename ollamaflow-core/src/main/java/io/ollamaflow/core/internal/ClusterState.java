package io.ollamaflow.core.internal;

import io.ollamaflow.api.ApiKey;
import io.ollamaflow.api.Backend;
import io.ollamaflow.api.ConfigStore;
import io.ollamaflow.api.Frontend;
import io.ollamaflow.api.HealthProbe;
import io.ollamaflow.api.HealthStatus;
import io.ollamaflow.api.LiveState;
import io.ollamaflow.api.LoadBalancer;
import io.ollamaflow.api.LoadBalancerProvider;
import io.ollamaflow.api.LogSafe;
import io.ollamaflow.api.ProbeResult;
import io.ollamaflow.core.internal.health.Probes;
import io.ollamaflow.core.internal.keys.ApiKeyIndex;
import io.ollamaflow.core.internal.keys.ApiKeyUsageLog;
import io.ollamaflow.core.internal.load.LoadReporter;
import io.ollamaflow.core.internal.models.ModelDemand;
import io.ollamaflow.core.internal.models.ModelDiscovery;
import io.ollamaflow.core.internal.models.ModelNames;
import io.ollamaflow.core.internal.models.ModelPreloader;
import io.ollamaflow.core.internal.models.ModelSync;
import io.ollamaflow.core.internal.routing.BackendState;
import io.ollamaflow.core.internal.routing.BuiltInBalancers;
import io.ollamaflow.core.internal.routing.FrontendSnapshot;
import io.ollamaflow.core.internal.routing.LoadBalancerRegistry;
import io.ollamaflow.core.internal.routing.RouteTable;
import io.ollamaflow.core.internal.routing.StickySessions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the cluster's mutable state and publishes it as an immutable {@link RouteTable} through
 * one volatile field. Every change (configuration edits, probe results, failures seen on live
 * traffic) is applied on one update thread, so there are no races between them; request threads
 * only read {@link #routes()} and post observations.
 */
public final class ClusterState implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ClusterState.class);

  private final ConfigStore store;
  private final LoadBalancerRegistry balancers;
  private final OkHttpClient baseClient;
  private final ScheduledExecutorService updates;
  private final ScheduledExecutorService deadlines;
  private final BackendPoller prober;
  private final BackendPoller discovery;
  private final ModelSync sync;
  private final ModelPreloader preloader;
  private final Events events;
  private final LoadReporter loadReporter;
  private final BackendPoller loadReports;
  private final Clock clock;
  private final LiveState live;
  private final int maxStickyKeyLength;
  private final ConfigWriter writer = new ConfigWriter(this::reload);
  private final ModelDemand demand = new ModelDemand();
  private volatile RouteTable routes = RouteTable.EMPTY;
  private volatile ApiKeyIndex apiKeys = ApiKeyIndex.EMPTY;
  private final ApiKeyUsageLog keyUsage;
  private final ConfigStore.Subscription storeChanges;

  // Touched only on the update thread.
  private long appliedRevision = Long.MIN_VALUE;
  private final Map<String, BackendState> backendStates = new HashMap<>();
  private final Map<String, FrontendSnapshot> snapshots = new HashMap<>();
  private final Map<Integer, OkHttpClient> clientsByTimeout = new HashMap<>();

  /**
   * How often the cluster looks at things by itself.
   *
   * @param probe the active health probe, or null for none (health then comes from live traffic alone)
   * @param modelRefresh how often backends' models are listed, or null for never (every backend
   *     then counts as possibly holding any model)
   * @param loadPoll how often backends are asked for their own load and loaded models, or null for never
   */
  public record Polling(Duration config, HealthProbe probe, Duration probeInterval, Duration probeTimeout,
      Duration modelRefresh, Duration loadPoll, int pullsPerBackend, int pullsTotal) {}

  public ClusterState(ConfigStore store, LoadBalancerRegistry balancers, OkHttpClient baseClient, Polling polling,
      Events events, Clock clock, LiveState live, int maxStickyKeyLength) {
    this.clock = clock;
    this.store = store;
    this.live = live;
    this.maxStickyKeyLength = maxStickyKeyLength;
    this.balancers = balancers;
    this.baseClient = baseClient;
    this.events = events;
    this.updates = Executors.newSingleThreadScheduledExecutor(Threads.daemons("ollamaflow-update"));
    ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, Threads.daemons("ollamaflow-deadlines"));
    // Nearly every deadline is cancelled long before it is due; keep them out of the queue.
    timer.setRemoveOnCancelPolicy(true);
    this.deadlines = timer;
    HealthProbe probe = polling.probe();
    this.prober = probe == null ? null : new BackendPoller("ollamaflow-probe", polling.probeInterval(), backend -> {
      ProbeResult result = Probes.run(probe, backend.backend(), polling.probeTimeout());
      Threads.submit(updates, () -> observe(backend, result.isHealthy(), result.reason(), false));
    });
    ModelDiscovery models = new ModelDiscovery(baseClient, Duration.ofSeconds(10), clock);
    this.loadReporter = new LoadReporter(baseClient, Duration.ofSeconds(5), clock);
    this.loadReports = polling.loadPoll() == null ? null
        : new BackendPoller("ollamaflow-load", polling.loadPoll(), loadReporter::poll);
    this.discovery = polling.modelRefresh() == null ? null
        : new BackendPoller("ollamaflow-models", polling.modelRefresh(), models::refresh);
    // Sync relies on discovery: without it no backend is known to lack a model.
    this.sync = polling.modelRefresh() == null ? null
        : new ModelSync(baseClient, this::routes, polling.pullsPerBackend(), polling.pullsTotal(), polling.modelRefresh(),
            clock);
    this.preloader = new ModelPreloader(baseClient, discovery != null, clock);
    this.keyUsage = new ApiKeyUsageLog(store, clock);
    reload();
    long pollMs = polling.config().toMillis();
    updates.scheduleWithFixedDelay(this::reloadIfChanged, pollMs, pollMs, TimeUnit.MILLISECONDS);
    // A store that hears of other instances' writes (PostgreSQL's NOTIFY) lets us reload at once.
    storeChanges = store.onChange(() -> Threads.submit(updates, this::reloadIfChanged));
    updates.scheduleWithFixedDelay(live::sweep, 1, 1, TimeUnit.MINUTES);
    updates.scheduleWithFixedDelay(demand::decay, 30, 30, TimeUnit.SECONDS);
    updates.scheduleWithFixedDelay(keyUsage::flushIfDue, 1, 1, TimeUnit.SECONDS);
    long keepMs = ModelPreloader.KEEP_LOADED_INTERVAL.toMillis();
    updates.scheduleWithFixedDelay(() -> preloader.keepLoaded(routes), keepMs, keepMs, TimeUnit.MILLISECONDS);
    // Catches loads that qualify once discovery has listed a backend; only walks the configuration otherwise.
    updates.scheduleWithFixedDelay(() -> preloader.sendNew(routes), 1, 1, TimeUnit.SECONDS);
  }

  /** The current routing snapshot; never null. */
  public RouteTable routes() {
    return routes;
  }

  /** The configured API keys, as of the same revision as {@link #routes()}; never null. */
  public ApiKeyIndex apiKeys() {
    return apiKeys;
  }

  /** API key usage not yet in the store; flushed every few seconds on the update thread and at close. */
  public ApiKeyUsageLog keyUsage() {
    return keyUsage;
  }

  /** Re-reads the store on the update thread and returns once the new snapshot is published. */
  public void reload() {
    try {
      updates.submit(this::rebuild).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      throw new IllegalStateException("reloading the configuration failed: " + e.getCause().getMessage(), e.getCause());
    }
  }

  /** Pulls made for RequiredModels, with their progress; empty when discovery is off. */
  public List<io.ollamaflow.core.ModelPull> modelPulls() {
    return sync == null ? List.of() : sync.pulls();
  }

  /** Runs a RequiredModels sync round now; nothing when discovery is off. */
  public void syncModelsNow() {
    if (sync != null) sync.roundSoon();
  }

  /** Recent requests per model; thread-safe. */
  public ModelDemand demand() {
    return demand;
  }

  /**
   * Lists a backend's models again soon: it just loaded a model it did not have in memory, and
   * may have unloaded others to make room.
   */
  public void refreshModelsSoon(String backendId) {
    if (discovery != null) Threads.submit(updates, () -> discovery.pollNow(backendId));
  }

  /** Sticky sessions and windowed counters, shared with other instances or not; thread-safe. */
  public LiveState live() {
    return live;
  }

  /** The key of this client's sticky session on this frontend, a long client key replaced by its hash. */
  public LiveState.SessionKey sessionKey(String frontendId, String clientKey) {
    return new LiveState.SessionKey(frontendId, StickySessions.boundedKey(clientKey, maxStickyKeyLength));
  }

  /**
   * Adds a model to a frontend's RequiredModels (a client pulled it through the frontend), in the
   * background: the store is written on the update thread, never on the caller's.
   */
  public void requireModel(String frontendId, String model) {
    editRequiredModels(frontendId, model, true);
  }

  /** Removes a model from a frontend's RequiredModels (a client deleted it through the frontend), in the background. */
  public void unrequireModel(String frontendId, String model) {
    editRequiredModels(frontendId, model, false);
  }

  private void editRequiredModels(String frontendId, String model, boolean add) {
    String what = (add ? "add '" + LogSafe.of(model) + "' to" : "remove '" + LogSafe.of(model) + "' from") + " the RequiredModels of frontend '"
        + frontendId + "'";
    writer.writeLater(what, () -> store.frontend(frontendId).ifPresent(frontend -> {
      String canonical = ModelNames.canonical(model);
      List<String> models = new ArrayList<>();
      for (String m : frontend.requiredModels()) {
        if (!ModelNames.canonical(m).equals(canonical)) models.add(m);
      }
      if (add) models.add(model);
      if (models.equals(frontend.requiredModels())) return;
      store.putFrontend(frontend.toBuilder().requiredModels(models).lastUpdateUtc(clock.instant()).build());
      if (sync != null) sync.roundSoon();
    }));
  }

  /** The one path of every configuration write made through this cluster. */
  public ConfigWriter writer() {
    return writer;
  }

  /** Runs {@code action} after the delay on a timer thread; cancel the result when it is no longer wanted. */
  public ScheduledFuture<?> schedule(Runnable action, long delayNanos) {
    return deadlines.schedule(action, delayNanos, TimeUnit.NANOSECONDS);
  }

  /** A request to this backend failed (refused, reset, 5xx, timed out): counts towards ejection. */
  public void reportFailure(BackendState backend, String reason) {
    Threads.submit(updates, () -> observe(backend, false, reason, true));
  }

  /** A request to this backend succeeded: earlier failures stop counting towards ejection. */
  public void reportSuccess(BackendState backend) {
    if (backend.tracker().hasFailures()) Threads.submit(updates, () -> backend.tracker().clearFailures());
  }

  /** The current live view of every configured backend, by identifier. */
  public Map<String, BackendState> backendStates() {
    Map<String, BackendState> copy = new HashMap<>();
    try {
      updates.submit(() -> copy.putAll(backendStates)).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    }
    return copy;
  }

  /** Health of every known backend, by identifier, as last applied. */
  public Map<String, HealthStatus> health() {
    Map<String, HealthStatus> health = new HashMap<>();
    backendStates().forEach((id, state) -> health.put(id, state.health()));
    return health;
  }

  private void observe(BackendState backend, boolean success, String reason, boolean passive) {
    boolean mayEject = !passive || !lastRoutableOfAFrontend(backend);
    HealthStatus previous = backend.tracker().observe(success, reason, backend.backend(), clock.instant(), mayEject);
    if (previous == null) return;
    log.info("Backend '{}' is now {} (was {}){}", backend.backend().identifier(), backend.health().state(),
        previous.state(), success ? "" : ": " + reason);
    events.healthChanged(backend, previous);
    // A backend back in rotation may have changed while away: list its models now, not at the next tick.
    if (success && discovery != null) discovery.pollNow(backend.backend().identifier());
    if (success && !previous.state().routable() && backend.health().state().routable()) {
      preloader.backendHealthy(routes, backend.backend().identifier());
    }
  }

  /** True when some frontend would have no routable backend left without this one. */
  private boolean lastRoutableOfAFrontend(BackendState backend) {
    String id = backend.backend().identifier();
    for (FrontendSnapshot snapshot : snapshots.values()) {
      if (!snapshot.frontend().backends().contains(id)) continue;
      boolean another = false;
      for (BackendState other : snapshot.backends()) {
        if (other.backend().identifier().equals(id)) continue;
        if (other.backend().active() && other.health().state().routable()) {
          another = true;
          break;
        }
      }
      if (!another) return true;
    }
    return false;
  }

  private void reloadIfChanged() {
    try {
      if (store.revision() != appliedRevision) rebuild();
    } catch (RuntimeException e) {
      // Keep serving the last good snapshot; the next poll tries again.
      log.warn("Could not read the configuration store: {}", e.toString());
    }
  }

  private void rebuild() {
    long revision = store.revision();
    List<Backend> backends = store.backends();
    List<Frontend> frontends = store.frontends();
    List<ApiKey> keys = store.apiKeys();

    Map<String, BackendState> states = new HashMap<>();
    for (Backend backend : backends) {
      BackendState previous = backendStates.get(backend.identifier());
      states.put(backend.identifier(), previous == null ? new BackendState(backend, clock) : previous.withConfig(backend));
    }
    backendStates.keySet().stream().filter(id -> !states.containsKey(id)).forEach(live::forgetBackend);
    backendStates.clear();
    backendStates.putAll(states);

    Map<String, FrontendSnapshot> byHost = new HashMap<>();
    FrontendSnapshot catchAll = null;
    Map<String, FrontendSnapshot> snapshotsById = new HashMap<>();
    for (Frontend frontend : frontends) {
      FrontendSnapshot snapshot = snapshotFor(frontend, states);
      snapshotsById.put(frontend.identifier(), snapshot);
      if (frontend.hostname().equals(Frontend.ANY_HOST)) {
        if (catchAll == null) catchAll = snapshot;
        else log.warn("Frontend '{}' and '{}' both use hostname '*'; '{}' is served", catchAll.frontend().identifier(),
            frontend.identifier(), catchAll.frontend().identifier());
      } else if (byHost.putIfAbsent(RouteTable.key(frontend), snapshot) != null) {
        log.warn("Frontend '{}' repeats hostname '{}' of an earlier frontend and is not served", frontend.identifier(),
            frontend.hostname());
      }
    }
    snapshots.keySet().stream().filter(id -> !snapshotsById.containsKey(id)).forEach(this::forgetSessionsOf);
    snapshots.clear();
    snapshots.putAll(snapshotsById);
    // Keys first: a frontend that starts requiring a key never meets the keys of a revision before.
    apiKeys = ApiKeyIndex.of(keys, apiKeys);
    routes = new RouteTable(byHost, catchAll, new ArrayList<>(snapshotsById.values()));
    if (prober != null) prober.sync(states.values());
    if (discovery != null) discovery.sync(states.values());
    if (loadReports != null) loadReports.sync(states.values());
    loadReporter.retain(backends.stream().map(Backend::baseUrl).collect(Collectors.toSet()));
    appliedRevision = revision;
    preloader.configurationApplied(routes);
    events.routesPublished(routes, List.copyOf(states.values()));
    log.debug("Applied configuration revision {}: {} frontends, {} backends", revision, frontends.size(), backends.size());
  }

  private FrontendSnapshot snapshotFor(Frontend frontend, Map<String, BackendState> states) {
    List<BackendState> members = new ArrayList<>();
    for (String id : frontend.backends()) {
      BackendState state = states.get(id);
      if (state != null) members.add(state);
    }
    FrontendSnapshot previous = snapshots.get(frontend.identifier());
    LoadBalancer balancer;
    String balancerName;
    // Keep the balancer (and its counters) across edits that do not change the policy.
    if (previous != null && previous.frontend().loadBalancing().equals(frontend.loadBalancing())) {
      balancer = previous.balancer();
      balancerName = previous.balancerName();
    } else {
      LoadBalancerProvider provider = balancers.find(frontend.loadBalancing());
      if (provider == null) {
        log.warn("Frontend '{}' names unknown load-balancing policy '{}' (known: {}); using round-robin",
            frontend.identifier(), frontend.loadBalancing(), balancers.names());
        provider = BuiltInBalancers.ROUND_ROBIN;
      }
      balancer = provider.newLoadBalancer(frontend);
      balancerName = provider.name();
    }
    return new FrontendSnapshot(frontend, members, balancer, balancerName, clientFor(frontend.timeoutMs()));
  }

  private OkHttpClient clientFor(int timeoutMs) {
    // Read timeout bounds the wait for the first byte and the silence between stream chunks.
    return clientsByTimeout.computeIfAbsent(timeoutMs, ms -> baseClient.newBuilder()
        .readTimeout(Duration.ofMillis(ms))
        .writeTimeout(Duration.ofMillis(ms))
        .build());
  }

  /** A deleted frontend's sessions; a shared state that is down keeps them until they expire, unrouted. */
  private void forgetSessionsOf(String frontendId) {
    try {
      live.clearSessions(Optional.of(frontendId));
    } catch (RuntimeException e) {
      log.warn("Sessions of deleted frontend '{}' stay until they expire: {}", frontendId, e.getMessage());
    }
  }

  @Override
  public void close() {
    storeChanges.close();
    if (prober != null) prober.close();
    if (discovery != null) discovery.close();
    if (loadReports != null) loadReports.close();
    if (sync != null) sync.close();
    writer.close();
    updates.shutdownNow();
    keyUsage.flush();
    deadlines.shutdownNow();
  }
}
