package io.ollamaflow.examples;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.ollamaflow.api.Frontend;
import io.ollamaflow.core.FlowCluster;
import io.ollamaflow.core.InMemoryConfigStore;
import io.ollamaflow.core.http.JdkHttpServerAdapter;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Example 1: an existing application on the JDK's {@code com.sun.net.httpserver.HttpServer} mounts
 * the proxy under {@code /llm}, next to its own {@code /hello} route. The adapter strips the
 * context path, so {@code /llm/api/chat} reaches the cluster as {@code /api/chat}.
 *
 * <pre>
 * java -cp ollamaflow-examples/target/ollamaflow-server.jar io.ollamaflow.examples.JdkHttpServerExample [ollama-url...]
 * curl localhost:8080/llm/api/generate -d '{"model":"llama3.2","prompt":"Hi"}'
 * </pre>
 */
public final class JdkHttpServerExample implements AutoCloseable {
  private final ExampleBackends backends;
  private final FlowCluster cluster;
  private final HttpServer server;
  private final ExecutorService executor;

  private JdkHttpServerExample(ExampleBackends backends, FlowCluster cluster, HttpServer server, ExecutorService executor) {
    this.backends = backends;
    this.cluster = cluster;
    this.server = server;
    this.executor = executor;
  }

  public static void main(String[] args) throws IOException {
    // Without it the JDK server waits ~40 ms on Nagle's algorithm before each streamed answer.
    System.setProperty("sun.net.httpserver.nodelay", "true");
    JdkHttpServerExample example = start(8080, List.of(args));
    Runtime.getRuntime().addShutdownHook(new Thread(example::close));
    System.out.println("Host application on http://localhost:" + example.port() + "/hello, the cluster under /llm. Try:");
    System.out.println("  curl localhost:" + example.port() + "/llm/api/generate -d '{\"model\":\"llama3.2\",\"prompt\":\"Hi\"}'");
  }

  /** Starts the host application on {@code port} (0 picks one) over the given Ollama URLs, or simulated ones. */
  static JdkHttpServerExample start(int port, List<String> backendUrls) throws IOException {
    InMemoryConfigStore store = new InMemoryConfigStore();
    ExampleBackends backends = ExampleBackends.start(store, backendUrls);
    store.putFrontend(Frontend.builder("main").backends(backends.ids()).build());
    FlowCluster cluster = FlowCluster.builder().configStore(store).build();

    HttpServer server = HttpServer.create(new InetSocketAddress(port), 0);
    ExecutorService executor = Executors.newCachedThreadPool(); // streams hold their thread while they last
    server.setExecutor(executor);
    server.createContext("/hello", JdkHttpServerExample::hello);                       // the application's own route
    server.createContext("/llm", new JdkHttpServerAdapter(cluster.httpHandler()));    // the cluster, under /llm
    server.start();
    return new JdkHttpServerExample(backends, cluster, server, executor);
  }

  private static void hello(HttpExchange exchange) throws IOException {
    byte[] body = "hello from the host application\n".getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(200, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  ExampleBackends backends() {
    return backends;
  }

  int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
    cluster.close();
    backends.close();
  }
}
