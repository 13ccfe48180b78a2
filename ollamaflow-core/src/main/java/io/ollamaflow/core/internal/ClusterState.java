package io.ollamaflow.core.internal;

import io.ollamaflow.api.Backend;
import io.ollamaflow.api.ConfigStore;
import io.ollamaflow.api.Frontend;
import io.ollamaflow.api.LoadBalancer;
import io.ollamaflow.api.LoadBalancerProvider;
import io.ollamaflow.core.internal.routing.BackendState;
import io.ollamaflow.core.internal.routing.BuiltInBalancers;
import io.ollamaflow.core.internal.routing.FrontendRoute;
import io.ollamaflow.core.internal.routing.LoadBalancerRegistry;
import io.ollamaflow.core.internal.routing.RouteTable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the cluster's mutable state and publishes it as an immutable {@link RouteTable} through
 * one volatile field. Every change is applied on one update thread, so there are no races between
 * edits; request threads only read {@link #routes()}.
 */
public final class ClusterState implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ClusterState.class);

  private final ConfigStore store;
  private final LoadBalancerRegistry balancers;
  private final OkHttpClient baseClient;
  private final ScheduledExecutorService updates;
  private volatile RouteTable routes = RouteTable.EMPTY;

  // Touched only on the update thread.
  private long appliedRevision = Long.MIN_VALUE;
  private final Map<String, BackendState> backendStates = new HashMap<>();
  private final Map<String, FrontendRoute> frontendRoutes = new HashMap<>();
  private final Map<Integer, OkHttpClient> clientsByTimeout = new HashMap<>();

  public ClusterState(ConfigStore store, LoadBalancerRegistry balancers, OkHttpClient baseClient, Duration pollInterval) {
    this.store = store;
    this.balancers = balancers;
    this.baseClient = baseClient;
    this.updates = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "ollamaflow-update");
      t.setDaemon(true);
      return t;
    });
    reload();
    long pollMs = pollInterval.toMillis();
    updates.scheduleWithFixedDelay(this::reloadIfChanged, pollMs, pollMs, TimeUnit.MILLISECONDS);
  }

  /** The current routing snapshot; never null. */
  public RouteTable routes() {
    return routes;
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

    Map<String, BackendState> states = new HashMap<>();
    for (Backend backend : backends) {
      BackendState previous = backendStates.get(backend.identifier());
      states.put(backend.identifier(), previous == null ? new BackendState(backend) : previous.withConfig(backend));
    }
    backendStates.clear();
    backendStates.putAll(states);

    Map<String, FrontendRoute> byHost = new HashMap<>();
    FrontendRoute catchAll = null;
    Map<String, FrontendRoute> routesById = new HashMap<>();
    for (Frontend frontend : frontends) {
      FrontendRoute route = routeFor(frontend, states);
      routesById.put(frontend.identifier(), route);
      if (frontend.hostname().equals(Frontend.ANY_HOST)) {
        if (catchAll == null) catchAll = route;
        else log.warn("Frontend '{}' and '{}' both use hostname '*'; '{}' is served", catchAll.frontend().identifier(),
            frontend.identifier(), catchAll.frontend().identifier());
      } else if (byHost.putIfAbsent(RouteTable.key(frontend), route) != null) {
        log.warn("Frontend '{}' repeats hostname '{}' of an earlier frontend and is not served", frontend.identifier(),
            frontend.hostname());
      }
    }
    frontendRoutes.clear();
    frontendRoutes.putAll(routesById);
    routes = new RouteTable(byHost, catchAll);
    appliedRevision = revision;
    log.debug("Applied configuration revision {}: {} frontends, {} backends", revision, frontends.size(), backends.size());
  }

  private FrontendRoute routeFor(Frontend frontend, Map<String, BackendState> states) {
    List<BackendState> members = new ArrayList<>();
    for (String id : frontend.backends()) {
      BackendState state = states.get(id);
      if (state != null) members.add(state);
    }
    FrontendRoute previous = frontendRoutes.get(frontend.identifier());
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
    return new FrontendRoute(frontend, members, balancer, balancerName, clientFor(frontend.timeoutMs()));
  }

  private OkHttpClient clientFor(int timeoutMs) {
    // Read timeout bounds the wait for the first byte and the silence between stream chunks.
    return clientsByTimeout.computeIfAbsent(timeoutMs, ms -> baseClient.newBuilder()
        .readTimeout(Duration.ofMillis(ms))
        .writeTimeout(Duration.ofMillis(ms))
        .build());
  }

  @Override
  public void close() {
    updates.shutdownNow();
  }
}
