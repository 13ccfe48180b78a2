package io.ollamaflow.examples.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ollamaflow.api.ApiKey;
import io.ollamaflow.sqlite.SqliteConfigStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** API keys managed through the standalone server's admin API, kept in its SQLite file across restarts. */
class ServerApiKeysTest {
  private static final String TOKEN = "server-keys-token";
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir
  Path dir;

  @Test
  void aKeyCreatedThroughTheAdminApiSurvivesARestartWithOnlyItsPrefixAndHashOnDisk() throws Exception {
    Path db = dir.resolve("flow.db");
    Path config = dir.resolve("ollamaflow.json");
    Files.writeString(config, "{\"Webserver\":{\"Hostname\":\"127.0.0.1\",\"Port\":0},\"DatabaseFilename\":\"" + db
        + "\",\"AdminBearerTokens\":[\"" + TOKEN + "\"],"
        + "\"Frontends\":[{\"Identifier\":\"main\",\"Hostname\":\"*\",\"RequireApiKey\":true}]}");
    ServerOptions options = ServerOptions.parse(new String[] {"--config", config.toString()});

    String secret;
    JsonNode created;
    try (OllamaFlowServer server = OllamaFlowServer.start(options, ServerSettings.load(config))) {
      created = JSON.readTree(send(server, "PUT", "/v1.0/apikeys", "{\"Identifier\":\"ci\",\"Frontends\":[\"main\"],"
          + "\"Models\":[\"llama3*\"],\"TokensPerMinute\":5000}", 201));
      secret = created.get("Secret").asText();
    }

    try (OllamaFlowServer server = OllamaFlowServer.start(options, ServerSettings.load(config))) {
      JsonNode read = JSON.readTree(send(server, "GET", "/v1.0/apikeys/ci", null, 200));
      assertThat(read.get("KeyPrefix").asText()).isEqualTo(created.get("KeyPrefix").asText());
      assertThat(read.get("TokensPerMinute").asLong()).isEqualTo(5000);
      assertThat(read.get("CreatedUtc").asText()).isEqualTo(created.get("CreatedUtc").asText());
      assertThat(read.has("Secret")).isFalse();
      JsonNode frontend = JSON.readTree(send(server, "GET", "/v1.0/frontends/main", null, 200));
      assertThat(frontend.get("RequireApiKey").asBoolean()).as("seeded from the settings file").isTrue();
    }

    try (SqliteConfigStore store = SqliteConfigStore.open(db)) {
      assertThat(store.apiKey("ci").orElseThrow().matches(secret)).isTrue();
    }
    assertThat(Files.readAllBytes(db)).asString().doesNotContain(secret).contains(ApiKey.hashOf(secret));
  }

  private String send(OllamaFlowServer server, String method, String path, String body, int status) throws Exception {
    HttpRequest.BodyPublisher publisher = body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(body);
    HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
        .header("Authorization", "Bearer " + TOKEN).method(method, publisher).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(answer.statusCode()).as("%s %s: %s", method, path, answer.body()).isEqualTo(status);
    return answer.body();
  }
}
