package io.ollamaflow.examples;

import io.ollamaflow.api.Backend;
import io.ollamaflow.api.ConfigStore;
import io.ollamaflow.examples.sim.SimulatedOllama;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The backends an example runs against: the Ollama URLs given on its command line, or, when none
 * is given, two simulated Ollama servers on loopback, so every example runs anywhere.
 */
final class ExampleBackends implements AutoCloseable {
  static final String MODEL = "llama3.2";

  private final List<SimulatedOllama> simulated = new ArrayList<>();
  private final List<String> ids = new ArrayList<>();

  private ExampleBackends() {}

  /** Writes one backend per URL in {@code urls} (or per simulated server) into {@code store}. */
  static ExampleBackends start(ConfigStore store, List<String> urls) throws IOException {
    ExampleBackends backends = new ExampleBackends();
    try {
      if (urls.isEmpty()) {
        for (int i = 1; i <= 2; i++) {
          SimulatedOllama sim = SimulatedOllama.builder().id("sim-" + i).models(List.of(MODEL + ":latest"))
              .tokenDelay(Duration.ofMillis(30)).start();
          backends.simulated.add(sim);
          backends.add(store, Backend.builder(sim.id()).hostname("127.0.0.1").port(sim.port()).build());
        }
      } else {
        for (int i = 0; i < urls.size(); i++) {
          URI url = URI.create(urls.get(i));
          int port = url.getPort() > 0 ? url.getPort() : "https".equals(url.getScheme()) ? 443 : 80;
          backends.add(store, Backend.builder("backend-" + (i + 1)).hostname(url.getHost()).port(port)
              .ssl("https".equals(url.getScheme())).build());
        }
      }
    } catch (IOException | RuntimeException e) {
      backends.close();
      throw e;
    }
    return backends;
  }

  private void add(ConfigStore store, Backend backend) {
    store.putBackend(backend);
    ids.add(backend.identifier());
  }

  List<String> ids() {
    return ids;
  }

  List<SimulatedOllama> simulated() {
    return simulated;
  }

  @Override
  public void close() {
    simulated.forEach(SimulatedOllama::close);
  }
}
