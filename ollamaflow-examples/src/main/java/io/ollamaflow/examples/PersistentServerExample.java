package io.ollamaflow.examples;

import io.ollamaflow.api.Frontend;
import io.ollamaflow.core.FlowCluster;
import io.ollamaflow.core.http.FlowHttpServer;
import io.ollamaflow.sqlite.SqliteConfigStore;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;

/**
 * Example 5: a persistent standalone server built in code: frontends and backends in a SQLite
 * file, the admin API on (token {@code example-admin}), served on port 43412. What is changed
 * through the admin API is still there after a restart. (The ready-made server is
 * {@code java -jar ollamaflow-server.jar}, configured by {@code ollamaflow.json}.)
 *
 * <pre>
 * java -cp ollamaflow-examples/target/ollamaflow-server.jar io.ollamaflow.examples.PersistentServerExample [ollama-url...]
 * curl -H 'Authorization: Bearer example-admin' localhost:43412/v1.0/backends
 * </pre>
 */
public final class PersistentServerExample implements AutoCloseable {
  static final String ADMIN_TOKEN = "example-admin";

  private final SqliteConfigStore store;
  private final ExampleBackends backends;
  private final FlowCluster cluster;
  private final FlowHttpServer server;

  private PersistentServerExample(SqliteConfigStore store, ExampleBackends backends, FlowCluster cluster,
      FlowHttpServer server) {
    this.store = store;
    this.backends = backends;
    this.cluster = cluster;
    this.server = server;
  }

  public static void main(String[] args) throws IOException {
    PersistentServerExample example = start(Path.of("example-flow.db"), 43412, List.of(args));
    Runtime.getRuntime().addShutdownHook(new Thread(example::close));
    System.out.println("OllamaFlow on http://localhost:" + example.port() + ", configuration in example-flow.db. Try:");
    System.out.println("  curl -H 'Authorization: Bearer " + ADMIN_TOKEN + "' localhost:" + example.port() + "/v1.0/backends");
  }

  /**
   * Opens (or creates) the database, (re)registers the backends (simulated ones get new ports on
   * each start), creates frontend "main" only if it does not exist yet, and serves on {@code port}.
   */
  static PersistentServerExample start(Path database, int port, List<String> backendUrls) throws IOException {
    SqliteConfigStore store = SqliteConfigStore.open(database);
    ExampleBackends backends = null;
    FlowCluster cluster = null;
    try {
      backends = ExampleBackends.start(store, backendUrls);
      if (store.frontend("main").isEmpty()) {
        store.putFrontend(Frontend.builder("main").backends(backends.ids()).build());
      }
      cluster = FlowCluster.builder().configStore(store).adminBearerTokens(List.of(ADMIN_TOKEN)).build();
      FlowHttpServer server = FlowHttpServer.start(new InetSocketAddress(port), cluster.httpHandler());
      return new PersistentServerExample(store, backends, cluster, server);
    } catch (IOException | RuntimeException e) {
      if (cluster != null) cluster.close();
      if (backends != null) backends.close();
      store.close();
      throw e;
    }
  }

  int port() {
    return server.port();
  }

  @Override
  public void close() {
    server.close();
    cluster.close();
    backends.close();
    store.close();
  }
}
