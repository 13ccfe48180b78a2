package io.ollamaflow.examples.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ollamaflow.examples.sim.SimulatedOllama;
import io.ollamaflow.sqlite.SqliteConfigStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The standalone server as a user starts it: settings file, flags, demo mode, SQLite seeding. */
class OllamaFlowServerTest {
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir
  Path dir;

  @Test
  void demoModeServesThreeSimulatedOllamasInTurnStreamsTokensAndTranslatesForItsVllm() throws Exception {
    try (OllamaFlowServer server = DemoServer.start(dir, "")) {
      Set<String> backends = new HashSet<>();
      for (int i = 0; i < 3; i++) {
        HttpResponse<String> root = get(server, "/");
        assertThat(root.statusCode()).isEqualTo(200);
        backends.add(root.headers().firstValue("X-OllamaFlow-Backend").orElseThrow());
      }
      assertThat(backends).containsExactlyInAnyOrder("demo-1", "demo-2", "demo-3");
      HttpResponse<String> tags = get(server, "/api/tags");
      assertThat(tags.body()).as("the union of the backends' models")
          .contains("llama3.2:latest", "qwen2.5:7b", "nomic-embed-text:latest", DemoBackends.VLLM_MODEL);

      HttpResponse<String> stream = post(server, "/api/chat",
          "{\"model\":\"llama3.2\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
      List<String> lines = stream.body().lines().toList();
      assertThat(lines.size()).isGreaterThan(2);
      assertThat(lines.get(lines.size() - 1)).contains("\"done\":true");

      // The vLLM's model, asked for in Ollama's dialect, is answered through translation.
      HttpResponse<String> translated = post(server, "/api/chat", "{\"model\":\"" + DemoBackends.VLLM_MODEL
          + "\",\"stream\":false,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
      assertThat(translated.statusCode()).as(translated.body()).isEqualTo(200);
      assertThat(translated.headers().firstValue("X-OllamaFlow-Backend")).contains("demo-vllm");
      assertThat(translated.body()).contains("\"content\":\"Hello from demo-vllm");
    }
    assertThat(dir.resolve("unused.db")).as("demo mode keeps its configuration in memory").doesNotExist();
  }

  @Test
  void emptyDatabaseIsSeededFromTheSettingsFileOnlyOnce() throws Exception {
    try (SimulatedOllama sim = SimulatedOllama.builder().id("gpu-1").tokenDelay(Duration.ZERO).start()) {
      Path db = dir.resolve("data/flow.db");
      Path config = dir.resolve("ollamaflow.json");
      Files.writeString(config, settingsWithBackendPort(db, sim.port()));
      ServerOptions options = ServerOptions.parse(new String[] {"--config", config.toString()});
      try (OllamaFlowServer server = OllamaFlowServer.start(options, ServerSettings.load(config))) {
        HttpResponse<String> answer = post(server, "/api/generate", "{\"model\":\"llama3\",\"stream\":false}");
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.body()).contains("gpu-1");
        assertThat(answer.headers().firstValue("X-OllamaFlow-Backend")).contains("gpu-1");
      }

      // A later edit of the file's arrays does not overwrite a store that already has content.
      Files.writeString(config, settingsWithBackendPort(db, 1));
      try (SqliteConfigStore store = SqliteConfigStore.open(db)) {
        OllamaFlowServer.seedIfEmpty(store, ServerSettings.load(config));
        assertThat(store.backend("gpu-1").orElseThrow().port()).isEqualTo(sim.port());
      }
    }
  }

  @Test
  void missingSettingsFileIsCreatedWithOllamaFlowDefaultsAndTheStoreGetsTheDefaultPair() throws Exception {
    Path config = dir.resolve("ollamaflow.json");
    ServerSettings settings = ServerSettings.load(config);
    assertThat(config).exists();
    assertThat(settings.hostname).isEqualTo("localhost");
    assertThat(settings.port).isEqualTo(43411);
    assertThat(settings.adminBearerTokens).containsExactly("ollamaflowadmin");
    assertThat(settings.stickyHeaders).containsExactly("x-conversation-id", "x-thread-id");

    try (SqliteConfigStore store = SqliteConfigStore.open(dir.resolve("seed.db"))) {
      OllamaFlowServer.seedIfEmpty(store, settings);
      assertThat(store.frontend("frontend1").orElseThrow().backends()).containsExactly("backend1");
      assertThat(store.frontend("frontend1").orElseThrow().hostname()).isEqualTo("*");
      assertThat(store.backend("backend1").orElseThrow().baseUrl()).isEqualTo("http://localhost:11434");
    }
  }

  @Test
  void badSettingsAreRefusedWithAMessageNamingTheField() throws Exception {
    Path config = dir.resolve("bad.json");
    Files.writeString(config, "{\"Webserver\":{\"Port\":\"eighty\"}}");
    assertThatThrownBy(() -> ServerSettings.load(config)).hasMessage("Webserver.Port: \"eighty\" (expected: 0-65535)");

    Files.writeString(config, "{\"Backends\":[{\"Identifier\":\"b1\",\"Port\":70000}]}");
    assertThatThrownBy(() -> ServerSettings.load(config)).hasMessage("Backends[0]: port: 70000 (expected: 1-65535)");

    Files.writeString(config, "{\"Frontends\":[{\"Identifier\":\"f1\",\"Hostnme\":\"x\"}]}");
    assertThatThrownBy(() -> ServerSettings.load(config))
        .hasMessage("Frontends[0]: frontend field \"Hostnme\" is not known (check its spelling)");

    Files.writeString(config, "{\"Webserver\": ");
    assertThatThrownBy(() -> ServerSettings.load(config)).hasMessageContaining("is not valid JSON");
  }

  @Test
  void unknownFlagsAndMissingValuesAreRefusedWithTheFlagNamed() {
    assertThatThrownBy(() -> ServerOptions.parse(new String[] {"--port", "1"}))
        .hasMessage("unknown option \"--port\" (see --help)");
    assertThatThrownBy(() -> ServerOptions.parse(new String[] {"--config"}))
        .hasMessage("--config needs a value (see --help)");
    assertThatThrownBy(() -> ServerOptions.parse(new String[] {"--demo-token-delay", "fast"}))
        .hasMessage("--demo-token-delay: \"fast\" (expected: milliseconds, e.g. 50)");
  }

  private static String settingsWithBackendPort(Path db, int port) {
    return "{\"Webserver\":{\"Hostname\":\"127.0.0.1\",\"Port\":0},\"DatabaseFilename\":\"" + db + "\","
        + "\"Backends\":[{\"Identifier\":\"gpu-1\",\"Hostname\":\"127.0.0.1\",\"Port\":" + port + "}],"
        + "\"Frontends\":[{\"Identifier\":\"main\",\"Hostname\":\"*\",\"Backends\":[\"gpu-1\"],\"LoadBalancing\":\"RoundRobin\"}]}";
  }

  private HttpResponse<String> get(OllamaFlowServer server, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(OllamaFlowServer server, String path, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
