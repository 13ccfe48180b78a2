package io.ollamaflow.core.testing;

import io.ollamaflow.api.Backend;
import io.ollamaflow.api.Frontend;
import io.ollamaflow.core.FlowCluster;
import io.ollamaflow.core.InMemoryConfigStore;
import io.ollamaflow.core.http.FlowHttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * A cluster served over real sockets on loopback ({@link FlowHttpServer}), an in-memory store,
 * MockWebServer backends, and an OkHttp client: what a scenario test needs. Close it after each test.
 */
public final class ScenarioHarness implements AutoCloseable {
  public static final MediaType JSON = MediaType.get("application/json");

  public final InMemoryConfigStore store = new InMemoryConfigStore();
  public final OkHttpClient client = new OkHttpClient.Builder()
      .readTimeout(Duration.ofSeconds(20))
      .retryOnConnectionFailure(false)
      .build();
  private final List<MockWebServer> backends = new ArrayList<>();
  private FlowCluster cluster;
  private FlowHttpServer server;

  /** Starts the cluster; {@code options} adjusts the builder (the store is already set). */
  public ScenarioHarness start(Consumer<FlowCluster.Builder> options) throws Exception {
    FlowCluster.Builder builder = FlowCluster.builder().configStore(store);
    options.accept(builder);
    cluster = builder.build();
    server = FlowHttpServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), cluster.httpHandler());
    return this;
  }

  public FlowCluster cluster() {
    return cluster;
  }

  public String url(String path) {
    return "http://127.0.0.1:" + server.port() + path;
  }

  /** A backend that answers every request with {@code dispatcher}. */
  public MockWebServer backend(Dispatcher dispatcher) throws Exception {
    MockWebServer backend = new MockWebServer();
    backend.setDispatcher(dispatcher);
    backend.start(InetAddress.getLoopbackAddress(), 0);
    backends.add(backend);
    return backend;
  }

  /** A backend that answers every request with {@code response}. */
  public MockWebServer backend(MockResponse response) throws Exception {
    return backend(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        return response;
      }
    });
  }

  /** A backend that answers every request with 200 and {@code body}. */
  public MockWebServer backend(String body) throws Exception {
    return backend(new MockResponse.Builder().addHeader("Content-Type", "application/json").body(body).build());
  }

  /** Backend configuration for a MockWebServer, with the given identifier. */
  public static Backend.Builder backendFor(String id, MockWebServer server) {
    return Backend.builder(id).hostname("127.0.0.1").port(server.getPort());
  }

  /** Stores the backends and one catch-all frontend "f1" over them (in this order), then applies it. */
  public void configure(Frontend.Builder frontend, Backend... backends) {
    List<String> ids = new ArrayList<>();
    for (Backend b : backends) {
      store.putBackend(b);
      ids.add(b.identifier());
    }
    store.putFrontend(frontend.backends(ids).build());
    cluster.reload();
  }

  public Response get(String path) throws Exception {
    return client.newCall(new Request.Builder().url(url(path)).build()).execute();
  }

  public Response post(String path, String json) throws Exception {
    return client.newCall(new Request.Builder().url(url(path)).post(RequestBody.create(json, JSON)).build()).execute();
  }

  public Response call(Request.Builder request) throws Exception {
    return client.newCall(request.build()).execute();
  }

  @Override
  public void close() {
    if (server != null) server.close();
    if (cluster != null) cluster.close();
    for (MockWebServer backend : backends) backend.close();
    client.connectionPool().evictAll();
  }
}
