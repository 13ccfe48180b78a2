package io.ollamaflow.examples.server;

import io.ollamaflow.api.ApiFormat;
import io.ollamaflow.api.Backend;
import io.ollamaflow.api.ConfigStore;
import io.ollamaflow.api.Frontend;
import io.ollamaflow.examples.sim.SimulatedOllama;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Three simulated Ollama servers and one simulated vLLM (OpenAI API only) on loopback, registered
 * behind one catch-all frontend named "demo": requests of either dialect for the vLLM's model are
 * translated for it. The Ollamas behave like real ones: nothing in memory at start, a model loads
 * on first use ({@link #COLD_LOAD}), and each loaded model runs {@link #PARALLEL} requests at once
 * while further ones wait inside the server.
 */
final class DemoBackends implements AutoCloseable {
  static final String FRONTEND = "demo";
  static final String VLLM_MODEL = "Qwen/Qwen3-8B";
  static final Duration COLD_LOAD = Duration.ofMillis(200);
  static final int PARALLEL = 2;
  private static final List<List<String>> MODELS = List.of(
      List.of("llama3.2:latest", "nomic-embed-text:latest"),
      List.of("llama3.2:latest", "qwen2.5:7b"),
      List.of("llama3.2:latest", "qwen2.5:7b", "nomic-embed-text:latest"));

  private final List<SimulatedOllama> servers = new ArrayList<>();

  /** Starts the simulators and writes frontend "demo" and backends demo-1..3 into the store. */
  static DemoBackends start(ConfigStore store, Duration tokenDelay) throws IOException {
    DemoBackends demo = new DemoBackends();
    List<String> ids = new ArrayList<>();
    try {
      for (int i = 0; i < MODELS.size(); i++) {
        String id = "demo-" + (i + 1);
        SimulatedOllama sim = SimulatedOllama.builder().id(id).models(MODELS.get(i)).tokenDelay(tokenDelay)
            .coldLoadDelay(COLD_LOAD).parallel(PARALLEL).start();
        demo.servers.add(sim);
        store.putBackend(Backend.builder(id).name("simulated Ollama " + (i + 1)).hostname("127.0.0.1").port(sim.port())
            .build());
        ids.add(id);
      }
      SimulatedOllama vllm = SimulatedOllama.builder().id("demo-vllm").flavor(SimulatedOllama.Flavor.VLLM)
          .models(List.of(VLLM_MODEL)).tokenDelay(tokenDelay).start();
      demo.servers.add(vllm);
      store.putBackend(Backend.builder("demo-vllm").name("simulated vLLM").hostname("127.0.0.1").port(vllm.port())
          .apiFormat(ApiFormat.OPENAI).healthCheckUrl("/health").build());
      ids.add("demo-vllm");
    } catch (IOException | RuntimeException e) {
      demo.close();
      throw e;
    }
    store.putFrontend(Frontend.builder(FRONTEND).name("demo over three simulated Ollama backends and a simulated vLLM")
        .loadBalancing(Frontend.MODEL_AFFINITY).backends(ids).build());
    return demo;
  }

  List<SimulatedOllama> servers() {
    return servers;
  }

  @Override
  public void close() {
    servers.forEach(SimulatedOllama::close);
  }
}
