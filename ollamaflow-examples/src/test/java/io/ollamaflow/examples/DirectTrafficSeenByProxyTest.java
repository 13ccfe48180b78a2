package io.ollamaflow.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.ollamaflow.api.Backend;
import io.ollamaflow.api.Frontend;
import io.ollamaflow.core.FlowAdmin;
import io.ollamaflow.core.FlowCluster;
import io.ollamaflow.core.InMemoryConfigStore;
import io.ollamaflow.examples.sim.SimulatedOllama;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * A model loaded by traffic that never passes through the proxy (another proxy, a user calling
 * Ollama directly) must show in the proxy's view of the backend, which it learns from /api/ps.
 */
class DirectTrafficSeenByProxyTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @Test
  void modelLoadedByTrafficBypassingTheProxyShowsAsLoadedInTheProxysView() throws Exception {
    try (SimulatedOllama sim = SimulatedOllama.builder().id("gpu-1").models(List.of("llama3", "qwen2.5:7b"))
        .tokenDelay(Duration.ZERO).start()) {
      InMemoryConfigStore store = new InMemoryConfigStore();
      store.putBackend(Backend.builder(sim.id()).hostname("127.0.0.1").port(sim.port()).build());
      store.putFrontend(Frontend.builder("f").backends(List.of(sim.id())).build());
      try (FlowCluster cluster = FlowCluster.builder().configStore(store)
          .modelRefreshInterval(Duration.ofMillis(100)).build()) {
        Supplier<Map<String, ?>> loaded = () -> health(cluster.admin()).loadedModels();
        assertThat(eventually(() -> health(cluster.admin()).modelsKnown())).isTrue();
        assertThat(loaded.get()).as("a fresh Ollama has nothing in memory").isEmpty();

        HttpResponse<String> direct = HttpClient.newHttpClient().send(
            HttpRequest.newBuilder(URI.create(sim.baseUrl() + "/api/generate"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"qwen2.5:7b\",\"prompt\":\"hi\",\"stream\":false}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(direct.statusCode()).isEqualTo(200);

        assertThat(eventually(() -> loaded.get().containsKey("qwen2.5:7b")))
            .as("the proxy saw the load in /api/ps: %s", loaded.get()).isTrue();
        assertThat(loaded.get()).doesNotContainKey("llama3:latest");
      }
    }
  }

  private static FlowAdmin.BackendHealth health(FlowAdmin admin) {
    return admin.health("gpu-1").orElseThrow();
  }

  private static boolean eventually(Supplier<Boolean> condition) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.get()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(20);
    }
    return true;
  }
}
