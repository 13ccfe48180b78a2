package io.ollamaflow.examples;

import io.ollamaflow.api.Frontend;
import io.ollamaflow.core.FlowCluster;
import io.ollamaflow.core.InMemoryConfigStore;
import io.ollamaflow.core.http.FlowServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * Example 2: a servlet application (embedded Jetty 12 here; any Servlet 6 container works) maps
 * {@link FlowServlet} to {@code /llm/*} next to its own servlets. The servlet sees paths relative
 * to its mapping, so {@code /llm/api/chat} reaches the cluster as {@code /api/chat}.
 *
 * <pre>
 * java -cp ollamaflow-examples/target/ollamaflow-server.jar io.ollamaflow.examples.ServletExample [ollama-url...]
 * curl -N localhost:8081/llm/v1/chat/completions -d '{"model":"llama3.2","stream":true,"messages":[{"role":"user","content":"Hi"}]}'
 * </pre>
 */
public final class ServletExample implements AutoCloseable {
  private final ExampleBackends backends;
  private final FlowCluster cluster;
  private final Server jetty;
  private final ServerConnector connector;

  private ServletExample(ExampleBackends backends, FlowCluster cluster, Server jetty, ServerConnector connector) {
    this.backends = backends;
    this.cluster = cluster;
    this.jetty = jetty;
    this.connector = connector;
  }

  public static void main(String[] args) throws Exception {
    ServletExample example = start(8081, List.of(args));
    Runtime.getRuntime().addShutdownHook(new Thread(example::close));
    System.out.println("Servlet application on http://localhost:" + example.port() + "/hello, the cluster under /llm. Try:");
    System.out.println("  curl localhost:" + example.port() + "/llm/api/tags");
  }

  static ServletExample start(int port, List<String> backendUrls) throws Exception {
    InMemoryConfigStore store = new InMemoryConfigStore();
    ExampleBackends backends = ExampleBackends.start(store, backendUrls);
    store.putFrontend(Frontend.builder("main").backends(backends.ids()).build());
    FlowCluster cluster = FlowCluster.builder().configStore(store).build();

    Server jetty = new Server();
    ServerConnector connector = new ServerConnector(jetty);
    connector.setPort(port);
    connector.setIdleTimeout(120_000); // at least the frontends' TimeoutMs (60 s by default)
    jetty.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    context.addServlet(new ServletHolder(new HelloServlet()), "/hello");                    // the application's own
    context.addServlet(new ServletHolder(new FlowServlet(cluster.httpHandler())), "/llm/*"); // the cluster
    jetty.setHandler(context);
    jetty.start();
    return new ServletExample(backends, cluster, jetty, connector);
  }

  ExampleBackends backends() {
    return backends;
  }

  int port() {
    return connector.getLocalPort();
  }

  @Override
  public void close() {
    try {
      jetty.stop();
    } catch (Exception e) {
      throw new IllegalStateException("Jetty did not stop", e);
    } finally {
      cluster.close();
      backends.close();
    }
  }

  /** Stands for the application's existing servlets. */
  static final class HelloServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
      response.setContentType("text/plain");
      response.getWriter().println("hello from the servlet application");
    }
  }
}
