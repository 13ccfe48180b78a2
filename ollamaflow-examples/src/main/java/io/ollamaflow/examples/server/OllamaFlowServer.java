package io.ollamaflow.examples.server;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.ollamaflow.api.Backend;
import io.ollamaflow.api.ConfigStore;
import io.ollamaflow.api.FlowException;
import io.ollamaflow.api.Frontend;
import io.ollamaflow.api.LiveState;
import io.ollamaflow.core.FlowAdmin;
import io.ollamaflow.core.FlowCluster;
import io.ollamaflow.core.InMemoryConfigStore;
import io.ollamaflow.core.http.FlowHttpServer;
import io.ollamaflow.examples.sim.SimulatedOllama;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The standalone server: {@code java -jar ollamaflow-server.jar [--demo] [--config FILE]}. Reads
 * {@code ollamaflow.json} (see {@link ServerSettings}), keeps configuration in SQLite or a shared
 * PostgreSQL, and serves the Ollama and OpenAI APIs. Exit codes: 0 after a normal stop, 2 for bad
 * flags or settings or a database that cannot be opened (unreachable, or its schema newer), 1 for
 * other failures to start.
 */
public final class OllamaFlowServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(OllamaFlowServer.class);

  private final ConfigStore store;
  private final Optional<LiveState> sharedState;
  private final DemoBackends demo;
  private final FlowCluster cluster;
  private final FlowHttpServer http;

  private OllamaFlowServer(ConfigStore store, Optional<LiveState> sharedState, DemoBackends demo, FlowCluster cluster,
      FlowHttpServer http) {
    this.store = store;
    this.sharedState = sharedState;
    this.demo = demo;
    this.cluster = cluster;
    this.http = http;
  }

  public static void main(String[] args) {
    ServerOptions options;
    ServerSettings settings;
    try {
      options = ServerOptions.parse(args);
      if (options.help) {
        System.out.println(ServerOptions.USAGE);
        return;
      }
      settings = ServerSettings.load(options.config);
    } catch (IllegalArgumentException | IOException e) {
      System.err.println("ollamaflow: " + e.getMessage());
      System.exit(2);
      return;
    }
    ConfigStore store;
    try {
      store = openStore(options, settings);
    } catch (RuntimeException e) {
      // Unreachable database, wrong password, schema newer than this release: settings to fix.
      System.err.println("ollamaflow: " + e.getMessage());
      System.exit(2);
      return;
    }
    try {
      OllamaFlowServer server = start(options, settings, store);
      Runtime.getRuntime().addShutdownHook(new Thread(server::close, "ollamaflow-shutdown"));
    } catch (IllegalArgumentException e) {
      System.err.println("ollamaflow: " + options.config + ": " + e.getMessage());
      System.exit(2);
    } catch (IOException | RuntimeException e) {
      System.err.println("ollamaflow: could not start: " + e.getMessage());
      System.exit(1);
    }
  }

  /** Starts everything the options and settings ask for; the caller closes the result. */
  static OllamaFlowServer start(ServerOptions options, ServerSettings settings) throws IOException {
    return start(options, settings, openStore(options, settings));
  }

  /** The store the settings name: in memory for --demo, else SQLite or PostgreSQL ({@code Database}). */
  static ConfigStore openStore(ServerOptions options, ServerSettings settings) {
    return options.demo ? new InMemoryConfigStore() : settings.database.open(settings.databaseFilename);
  }

  /**
   * Starts on a store already open, which the result then owns (and closes if starting fails).
   *
   * @throws IllegalArgumentException when the settings file's Frontends or Backends are refused
   */
  static OllamaFlowServer start(ServerOptions options, ServerSettings settings, ConfigStore store) throws IOException {
    DemoBackends demo = null;
    FlowCluster cluster = null;
    Optional<LiveState> sharedState = Optional.empty();
    try {
      LogbackSetup.apply(settings.logging);
      if (options.demo) demo = DemoBackends.start(store, options.demoTokenDelay);
      else sharedState = settings.database.openLiveState();
      PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      FlowCluster.Builder builder = FlowCluster.builder();
      sharedState.ifPresent(builder::liveState);
      cluster = builder
          .configStore(store)
          .meterRegistry(registry)
          .stickyHeaders(settings.stickyHeaders)
          .allowedOrigins(settings.allowedOrigins)
          .stickySessionLimits(settings.maxStickySessions, settings.maxStickyKeyLength)
          .requestBodySpool(settings.requestBodies.directory(), settings.requestBodies.maxMemoryBytes(),
              settings.requestBodies.maxDiskBytes())
          .adminBearerTokens(settings.adminBearerTokens)
          .logBodies(settings.logging.logQueries(), settings.logging.logResults())
          .eventListener(new RequestLog())
          .build();
      if (!options.demo) seedIfEmpty(cluster.admin(), settings);
      InetSocketAddress address = settings.bindsAllInterfaces() ? new InetSocketAddress(settings.port)
          : new InetSocketAddress(settings.hostname, settings.port);
      FlowHttpServer http = FlowHttpServer.start(address, new MetricsEndpoint(registry, cluster.httpHandler()),
          settings.httpOptions);
      OllamaFlowServer server = new OllamaFlowServer(store, sharedState, demo, cluster, http);
      server.announce(options, settings);
      return server;
    } catch (IOException | RuntimeException e) {
      if (cluster != null) cluster.close();
      sharedState.ifPresent(LiveState::close);
      if (demo != null) demo.close();
      store.close();
      throw e;
    }
  }

  /**
   * An empty store gets the settings file's Frontends and Backends, or OllamaFlow's default pair
   * (frontend1 for any host over backend1 at localhost:11434). A store with content is left alone.
   * The objects go through the admin API's checks, so the file is held to the same rules as the
   * API (known policies and formats, existing backends).
   *
   * @throws IllegalArgumentException naming the object and what the checks refused
   */
  static void seedIfEmpty(FlowAdmin admin, ServerSettings settings) {
    if (!admin.frontends().isEmpty() || !admin.backends().isEmpty()) return;
    if (settings.frontends.isEmpty() && settings.backends.isEmpty()) {
      admin.createBackend(Backend.builder("backend1").name("My Ollama").build());
      admin.createFrontend(Frontend.builder("frontend1").name("My frontend").backends(List.of("backend1")).build());
      log.info("Seeded an empty store with frontend1 (any host) over backend1 (localhost:11434)");
      return;
    }
    for (Backend backend : settings.backends) {
      seed(() -> admin.createBackend(backend), "Backends", "backend", backend.identifier());
    }
    for (Frontend frontend : settings.frontends) {
      seed(() -> admin.createFrontend(frontend), "Frontends", "frontend", frontend.identifier());
    }
    log.info("Seeded an empty store with {} frontends and {} backends from the settings file",
        settings.frontends.size(), settings.backends.size());
  }

  private static void seed(Runnable create, String key, String kind, String identifier) {
    try {
      create.run();
    } catch (FlowException e) {
      throw new IllegalArgumentException(key + ": " + kind + " '" + identifier + "': " + e.getMessage(), e);
    }
  }

  int port() {
    return http.port();
  }

  private void announce(ServerOptions options, ServerSettings settings) {
    String scheme = settings.httpOptions.tls().isPresent() ? "https" : "http";
    String url = scheme + "://" + (settings.bindsAllInterfaces() ? "localhost" : settings.hostname) + ":" + http.port();
    log.info("OllamaFlow listening on {} ({} frontends, {} backends)", url, store.frontends().size(),
        store.backends().size());
    settings.httpOptions.tls().ifPresent(tls -> log.info("TLS 1.2/1.3 with the certificate for {}, valid until {}{}",
        tls.certificateSubject(), tls.certificateNotAfter(), tls.clientCertificateRequired() ? "; client certificates required" : ""));
    if (!settings.httpOptions.accessControl().permitsAll()) log.info("Access control: {}", settings.httpOptions.accessControl());
    if (settings.adminBearerTokens.isEmpty()) {
      log.info("Admin API off: AdminBearerTokens is empty");
    } else {
      int tokens = settings.adminBearerTokens.size();
      log.info("Admin API on {}/v1.0/ ({} from AdminBearerTokens), dashboard on {}/dashboard/", url,
          tokens == 1 ? "1 token" : tokens + " tokens", url);
    }
    log.info("Prometheus metrics on {}{}", url, MetricsEndpoint.PATH);
    if (demo == null) {
      log.info("Configuration in {}{}", settings.database.describe(settings.databaseFilename),
          sharedState.isPresent() ? "; sticky sessions and counters shared there too" : "");
      return;
    }
    for (SimulatedOllama sim : demo.servers()) {
      log.info("Simulated Ollama '{}' at {} with models {}", sim.id(), sim.baseUrl(), sim.models());
    }
    log.info("Try: curl {}/api/generate -d '{\"model\":\"llama3.2\",\"prompt\":\"Hi\"}'", url);
    log.info(" or: OLLAMA_HOST={} ollama run llama3.2", url);
  }

  /** Drains the listener (requests in flight finish within Webserver.IO.ShutdownGraceMs), then stops the rest. */
  @Override
  public void close() {
    http.close();
    cluster.close();
    sharedState.ifPresent(LiveState::close);
    if (demo != null) demo.close();
    store.close();
  }
}
