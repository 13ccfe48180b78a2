package io.ollamaflow.examples.clients;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import io.ollamaflow.api.ApiFormat;
import io.ollamaflow.api.Backend;
import io.ollamaflow.api.FlowEventListener;
import io.ollamaflow.api.Frontend;
import io.ollamaflow.api.RequestInfo;
import io.ollamaflow.core.FlowCluster;
import io.ollamaflow.core.InMemoryConfigStore;
import io.ollamaflow.core.http.FlowHttpServer;
import io.ollamaflow.examples.sim.SimulatedOllama;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A cluster on a real socket whose only backend is one simulator that does not speak the client's
 * dialect (a vLLM, or an Ollama without /v1), so every answer a client gets went through
 * translation. Active health checks are off, so the backend serves from the first request, unless
 * the models are to be listed.
 */
final class TranslatingCluster implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final SimulatedOllama backend;
  private final FlowCluster cluster;
  private final FlowHttpServer server;
  private final BlockingQueue<RequestInfo> finished;

  private TranslatingCluster(SimulatedOllama backend, FlowCluster cluster, FlowHttpServer server,
      BlockingQueue<RequestInfo> finished) {
    this.backend = backend;
    this.cluster = cluster;
    this.server = server;
    this.finished = finished;
  }

  /** A vLLM serving {@code models}, behind a backend of format OpenAI. */
  static TranslatingCluster vllm(String id, List<String> models) throws IOException {
    return start(SimulatedOllama.Flavor.VLLM, id, models, false);
  }

  /** As {@link #vllm}, with health checks and model listing on; returns once the models are listed. */
  static TranslatingCluster vllmWithModelsListed(String id, List<String> models) throws Exception {
    TranslatingCluster proxy = start(SimulatedOllama.Flavor.VLLM, id, models, true);
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!proxy.cluster.admin().health(id).orElseThrow().modelsKnown()) {
      if (System.nanoTime() > deadline) throw new AssertionError("the models of " + id + " were never listed");
      Thread.sleep(10);
    }
    return proxy;
  }

  /** An Ollama without the /v1 layer, behind a backend of format Ollama. */
  static TranslatingCluster nativeOllama(String id, List<String> models) throws IOException {
    return start(SimulatedOllama.Flavor.OLLAMA_NATIVE_ONLY, id, models, false);
  }

  private static TranslatingCluster start(SimulatedOllama.Flavor flavor, String id, List<String> models,
      boolean listModels) throws IOException {
    SimulatedOllama backend = SimulatedOllama.builder().flavor(flavor).id(id).models(models)
        .tokenDelay(Duration.ofMillis(2)).start();
    boolean vllm = flavor == SimulatedOllama.Flavor.VLLM;
    InMemoryConfigStore store = new InMemoryConfigStore();
    store.putBackend(Backend.builder(id).hostname("127.0.0.1").port(backend.port())
        .apiFormat(vllm ? ApiFormat.OPENAI : ApiFormat.OLLAMA)
        .healthCheckUrl(vllm ? "/health" : "/")
        .healthyThreshold(1)
        .build());
    store.putFrontend(Frontend.builder("clients").backends(List.of(id)).build());
    BlockingQueue<RequestInfo> finished = new LinkedBlockingQueue<>();
    FlowCluster.Builder builder = FlowCluster.builder().configStore(store).eventListener(new FlowEventListener() {
      @Override
      public void requestFinished(RequestInfo request) {
        finished.add(request);
      }
    });
    FlowCluster cluster = (listModels ? builder.healthCheckInterval(Duration.ofMillis(50))
        : builder.disableActiveHealthChecks()).build();
    FlowHttpServer server =
        FlowHttpServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), cluster.httpHandler());
    return new TranslatingCluster(backend, cluster, server, finished);
  }

  /** What the simulator answers for {@code text}, as floats, for comparing with a client's vector. */
  static List<Float> embeddingOf(String text) {
    List<Float> vector = new ArrayList<>();
    for (float value : SimulatedOllama.embedding(text)) {
      vector.add(value);
    }
    return vector;
  }

  /**
   * Checks a vector a vLLM embedded and the proxy answered on /api/embed. The proxy L2-normalises
   * it as Ollama would, which can move an already normalised float by an ulp: hence 1e-6.
   */
  static void assertRenormalisedEmbedding(List<? extends Number> actual, String text) {
    List<Float> expected = embeddingOf(text);
    assertThat(actual).hasSameSizeAs(expected);
    for (int i = 0; i < expected.size(); i++) {
      assertThat(actual.get(i).floatValue()).as("element %d", i).isCloseTo(expected.get(i), within(1e-6f));
    }
  }

  /**
   * An openai-java client for this proxy's /v1 routes, with no retries: a failure must show at
   * once, and the backend must see each request once.
   */
  OpenAIClient openAiJava() {
    return OpenAIOkHttpClient.builder().baseUrl(url() + "/v1").apiKey("unused")
        .maxRetries(0).timeout(Duration.ofSeconds(10)).build();
  }

  /** The proxy's base URL, without a trailing slash. */
  String url() {
    return "http://127.0.0.1:" + server.port();
  }

  /** The next request to finish, as the cluster recorded it (its token counts among the rest). */
  RequestInfo nextFinished() throws InterruptedException {
    RequestInfo request = finished.poll(10, TimeUnit.SECONDS);
    if (request == null) throw new AssertionError("no request finished within 10 s");
    return request;
  }

  SimulatedOllama backend() {
    return backend;
  }

  /** The JSON bodies the backend received on {@code path}, oldest first. */
  List<JsonNode> bodiesSentTo(String path) {
    return backend.requests().stream()
        .filter(request -> request.path().equals(path))
        .map(request -> json(request.bodyText()))
        .toList();
  }

  static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    server.close();
    cluster.close();
    backend.close();
  }
}
