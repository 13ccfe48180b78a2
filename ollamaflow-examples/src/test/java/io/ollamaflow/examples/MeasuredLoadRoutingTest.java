package io.ollamaflow.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.ollamaflow.api.ApiFormat;
import io.ollamaflow.api.Backend;
import io.ollamaflow.api.Frontend;
import io.ollamaflow.core.FlowAdmin;
import io.ollamaflow.core.FlowCluster;
import io.ollamaflow.core.InMemoryConfigStore;
import io.ollamaflow.core.http.FlowHttpServer;
import io.ollamaflow.core.inprocess.GenerateRequest;
import io.ollamaflow.examples.sim.SimulatedOllama;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Routing on what backends report and do (issue 13), against simulators that behave like the real
 * servers: a vLLM's {@code /metrics} shows requests waiting that did not come through the proxy,
 * and an Ollama with two slots queues a third request inside.
 */
class MeasuredLoadRoutingTest {
  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final String QWEN = "Qwen/Qwen3-8B";
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @ParameterizedTest
  @ValueSource(strings = {Frontend.ROUND_ROBIN, Frontend.RANDOM, Frontend.LEAST_REQUESTS, Frontend.MODEL_AFFINITY})
  void aVllmKeptBusyByTrafficThatBypassesTheProxyGetsFewOfItsRequests(String policy) throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    ExecutorService direct = Executors.newFixedThreadPool(6);
    try (SimulatedOllama idle = vllm("vllm-idle"); SimulatedOllama busy = vllm("vllm-busy")) {
      for (int i = 0; i < 6; i++) {
        direct.submit(() -> {
          while (!stop.get()) post(busy.baseUrl() + "/v1/chat/completions", chat("direct"));
          return null;
        });
      }
      InMemoryConfigStore store = new InMemoryConfigStore();
      for (SimulatedOllama sim : List.of(idle, busy)) {
        store.putBackend(Backend.builder(sim.id()).hostname("127.0.0.1").port(sim.port())
            .apiFormat(ApiFormat.OPENAI).healthCheckUrl("/health").build());
      }
      store.putFrontend(Frontend.builder("f").loadBalancing(policy).backends(List.of("vllm-idle", "vllm-busy")).build());
      try (FlowCluster cluster = FlowCluster.builder().configStore(store).healthCheckInterval(Duration.ofMillis(100))
              .modelRefreshInterval(Duration.ofMillis(100)).loadPollInterval(Duration.ofMillis(100)).build();
          FlowHttpServer server = FlowHttpServer.start(
              new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), cluster.httpHandler())) {
        assertThat(eventually(() -> busy.queuedRequests() > 0)).as("the direct clients make vllm-busy queue").isTrue();
        assertThat(eventually(() -> health(cluster.admin(), "vllm-busy").externalLoad() > 0))
            .as("the proxy read the queue from /metrics").isTrue();

        int toIdle = 0;
        for (int i = 0; i < 20; i++) {
          HttpResponse<String> answer = post("http://127.0.0.1:" + server.port() + "/v1/chat/completions", chat("proxied"));
          assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
          if (answer.headers().firstValue("X-OllamaFlow-Backend").orElse("").equals("vllm-idle")) toIdle++;
        }

        assertThat(toIdle).as("requests of 20 sent to vllm-idle under %s", policy).isGreaterThanOrEqualTo(16);
      }
    } finally {
      stop.set(true);
      direct.shutdownNow();
    }
  }

  @Test
  void anOllamaThatQueuesInsideIsSentNoMoreThanItRunsAtOnce() throws Exception {
    try (SimulatedOllama sim = SimulatedOllama.builder().id("gpu-1").models(List.of("llama3")).parallel(2)
        .tokens(8).tokenDelay(Duration.ofMillis(25)).start()) {
      InMemoryConfigStore store = new InMemoryConfigStore();
      store.putBackend(Backend.builder(sim.id()).hostname("127.0.0.1").port(sim.port()).maxParallelRequests(8).build());
      store.putFrontend(Frontend.builder("f").backends(List.of(sim.id())).build());
      try (FlowCluster cluster = FlowCluster.builder().configStore(store).build()) {
        assertThat(health(cluster.admin(), "gpu-1").concurrencyLimit()).as("before any answer").isEqualTo(8);

        ExecutorService clients = Executors.newFixedThreadPool(6);
        try {
          for (int round = 0; round < 3; round++) {
            List<Future<?>> calls = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
              calls.add(clients.submit(() -> cluster.generate(
                  GenerateRequest.of("llama3", "hi"))));
            }
            for (Future<?> call : calls) call.get();
          }
        } finally {
          clients.shutdownNow();
        }

        // Learned from the answers' total_duration beyond their load and eval; the limit probes one
        // above what the backend runs after 8 answers at the limit without waiting.
        assertThat(health(cluster.admin(), "gpu-1").concurrencyLimit()).isBetween(2, 3);
        ExecutorService more = Executors.newFixedThreadPool(6);
        int mostAtBackend = 0;
        int mostInProxyQueue = 0;
        try {
          List<Future<?>> calls = new ArrayList<>();
          for (int i = 0; i < 6; i++) {
            calls.add(more.submit(() -> cluster.generate(GenerateRequest.of("llama3", "hi"))));
          }
          while (!calls.stream().allMatch(Future::isDone)) {
            mostAtBackend = Math.max(mostAtBackend, sim.activeRequests());
            mostInProxyQueue = Math.max(mostInProxyQueue, cluster.queuedRequests("f"));
            Thread.sleep(2);
          }
          for (Future<?> call : calls) call.get();
        } finally {
          more.shutdownNow();
        }
        // Without the learned limit all 6 would be sent at once (MaxParallelRequests is 8). The
        // backend's own count can include one answer still being written as the next arrives.
        assertThat(mostAtBackend).as("requests at the backend at once, 6 clients").isLessThan(6);
        assertThat(mostInProxyQueue).as("the others waited in the proxy, where any backend could take them")
            .isGreaterThan(0);
      }
    }
  }

  private static SimulatedOllama vllm(String id) throws Exception {
    return SimulatedOllama.builder().id(id).flavor(SimulatedOllama.Flavor.VLLM).models(List.of(QWEN)).parallel(2)
        .tokens(5).tokenDelay(Duration.ofMillis(20)).start();
  }

  private static String chat(String text) {
    return "{\"model\":\"" + QWEN + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]}";
  }

  private static HttpResponse<String> post(String url, String body) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.ofString(body))
        .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
  }

  private static FlowAdmin.BackendHealth health(FlowAdmin admin, String id) {
    return admin.health(id).orElseThrow();
  }

  private static boolean eventually(Supplier<Boolean> condition) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.get()) {
      if (System.nanoTime() > deadline) return false;
      Thread.sleep(20);
    }
    return true;
  }
}
