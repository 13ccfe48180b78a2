package io.ollamaflow.examples.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ollamaflow.core.FlowCluster;
import io.ollamaflow.examples.sim.SimulatedOllama;
import io.ollamaflow.sqlite.SqliteConfigStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The standalone server as a user starts it: settings file, flags, demo mode, SQLite seeding. */
class OllamaFlowServerTest {
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir
  Path dir;

  @Test
  void demoModeServesFromTheBackendThatLoadedTheModelStreamsTokensAndTranslatesForItsVllm() throws Exception {
    try (OllamaFlowServer server = DemoServer.start(dir, "")) {
      HttpResponse<String> root = get(server, "/");
      assertThat(root.body()).as("answered by the server itself").isEqualTo("Ollama is running");
      HttpResponse<String> first = post(server, "/api/generate", "{\"model\":\"llama3.2\",\"prompt\":\"hi\",\"stream\":false}");
      assertThat(first.statusCode()).isEqualTo(200);
      assertThat(new ObjectMapper().readTree(first.body()).path("load_duration").asLong())
          .as("nothing is loaded before the first request").isGreaterThanOrEqualTo(DemoBackends.COLD_LOAD.toNanos());
      String loadedOn = first.headers().firstValue("X-OllamaFlow-Backend").orElseThrow();
      // The demo frontend is model-affinity: the backend holding the model in memory serves it.
      for (int i = 0; i < 3; i++) {
        HttpResponse<String> answer = post(server, "/api/generate", "{\"model\":\"llama3.2\",\"prompt\":\"hi\",\"stream\":false}");
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.headers().firstValue("X-OllamaFlow-Backend")).contains(loadedOn);
        assertThat(new ObjectMapper().readTree(answer.body()).path("load_duration").asLong())
            .as("warm").isLessThan(DemoBackends.COLD_LOAD.toNanos());
      }
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
        HttpResponse<String> answer = post(server, "/api/generate", "{\"model\":\"llama3\",\"prompt\":\"hi\",\"stream\":false}");
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.body()).contains("gpu-1");
        assertThat(answer.headers().firstValue("X-OllamaFlow-Backend")).contains("gpu-1");
      }

      // A later edit of the file's arrays does not overwrite a store that already has content.
      Files.writeString(config, settingsWithBackendPort(db, 1));
      try (SqliteConfigStore store = SqliteConfigStore.open(db); FlowCluster cluster = clusterOn(store)) {
        OllamaFlowServer.seedIfEmpty(cluster.admin(), ServerSettings.load(config));
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

    try (SqliteConfigStore store = SqliteConfigStore.open(dir.resolve("seed.db")); FlowCluster cluster = clusterOn(store)) {
      OllamaFlowServer.seedIfEmpty(cluster.admin(), settings);
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
    Files.writeString(config, "{\"StickySessionLimits\":{\"MaxSessions\":0}}");
    assertThatThrownBy(() -> ServerSettings.load(config))
        .hasMessage("StickySessionLimits.MaxSessions: 0 (expected: a positive integer)");
    Files.writeString(config, "{\"StickySessionLimits\":{\"MaxKeyLength\":64}}");
    assertThatThrownBy(() -> ServerSettings.load(config))
        .hasMessage("StickySessionLimits: maxKeyLength: 64 (expected: >= 71)");
  }

  @Test
  void seededObjectsAreHeldToTheAdminApisChecksAndNothingIsStoredWhenOneIsRefused() throws Exception {
    Path config = dir.resolve("ollamaflow.json");
    Files.writeString(config, "{\"DatabaseFilename\":\"" + dir.resolve("flow.db") + "\","
        + "\"Backends\":[{\"Identifier\":\"gpu-1\",\"ApiFormat\":\"Bogus\"}]}");
    try (SqliteConfigStore store = SqliteConfigStore.open(dir.resolve("checked.db")); FlowCluster cluster = clusterOn(store)) {
      assertThatThrownBy(() -> OllamaFlowServer.seedIfEmpty(cluster.admin(), ServerSettings.load(config)))
          .hasMessage("Backends: backend 'gpu-1': ApiFormat: \"Bogus\" is not a known format (expected: one of Ollama, OpenAI)");
      assertThat(store.backends()).isEmpty();
    }
  }

  @Test
  void serverRefusesToStartWithExit2WhenASeededFrontendNamesAnUnknownPolicy() throws Exception {
    Path config = dir.resolve("ollamaflow.json");
    Files.writeString(config, "{\"Webserver\":{\"Hostname\":\"127.0.0.1\",\"Port\":0},"
        + "\"DatabaseFilename\":\"" + dir.resolve("flow.db") + "\","
        + "\"Backends\":[{\"Identifier\":\"gpu-1\"}],"
        + "\"Frontends\":[{\"Identifier\":\"main\",\"Backends\":[\"gpu-1\"],\"LoadBalancing\":\"NoSuchPolicy\"}]}");
    ServerProcess.Exit exit = ServerProcess.run(config);
    String output = exit.output();
    assertThat(exit.status()).as(output).isEqualTo(2);
    // Frontend keeps policy names in lower case, so the value comes back as "nosuchpolicy".
    assertThat(output).containsIgnoringCase("Frontends: frontend 'main': LoadBalancing: \"NoSuchPolicy\" is not a known policy")
        .containsPattern("expected: one of [^)]*round-robin");
  }

  @Test
  void allowedOriginsFromTheSettingsFileLetThoseBrowserPagesCallTheProxy() throws Exception {
    try (SimulatedOllama sim = SimulatedOllama.builder().id("gpu-1").tokenDelay(Duration.ZERO).start()) {
      Path config = dir.resolve("ollamaflow.json");
      Files.writeString(config, settingsWithBackendPort(dir.resolve("flow.db"), sim.port())
          .replaceFirst("^\\{", "{\"AllowedOrigins\":[\"https://chat.example.com\"],"));
      ServerOptions options = ServerOptions.parse(new String[] {"--config", config.toString()});
      try (OllamaFlowServer server = OllamaFlowServer.start(options, ServerSettings.load(config))) {
        HttpResponse<String> allowed = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
            + "/api/tags")).header("Origin", "https://chat.example.com").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(allowed.statusCode()).isEqualTo(200);
        assertThat(allowed.headers().firstValue("Access-Control-Allow-Origin")).contains("https://chat.example.com");
        HttpResponse<String> other = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
            + "/api/tags")).header("Origin", "https://other.example.com").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(other.statusCode()).isEqualTo(403);
      }
    }
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

  private static FlowCluster clusterOn(SqliteConfigStore store) {
    return FlowCluster.builder().configStore(store).disableActiveHealthChecks().build();
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
