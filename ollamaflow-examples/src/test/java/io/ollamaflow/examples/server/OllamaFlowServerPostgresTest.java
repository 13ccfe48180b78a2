package io.ollamaflow.examples.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ollamaflow.examples.sim.SimulatedOllama;
import io.ollamaflow.postgres.PostgresConfigStore;
import io.ollamaflow.postgres.PostgresLiveState;
import io.ollamaflow.postgres.TestPostgres;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The standalone server on a shared PostgreSQL: the Database section, and refusing to start on a bad database. */
class OllamaFlowServerPostgresTest {
  private final TestPostgres pg = TestPostgres.get();

  @TempDir
  Path dir;

  @Test
  void aDatabaseSectionKeepsTheConfigurationInPostgresql() throws Exception {
    String db = pg.newDatabase();
    Path passwordFile = dir.resolve("pg-password");
    Files.writeString(passwordFile, pg.password() + "\n");
    try (SimulatedOllama sim = SimulatedOllama.builder().id("gpu-1").tokenDelay(Duration.ZERO).start()) {
      Path config = write("{\"Webserver\":{\"Hostname\":\"127.0.0.1\",\"Port\":0},"
          + "\"Database\":{\"Type\":\"PostgreSQL\",\"JdbcUrl\":\"" + pg.url(db) + "\",\"User\":\"" + TestPostgres.USER
          + "\",\"PasswordFile\":\"" + passwordFile + "\"},"
          + "\"Backends\":[{\"Identifier\":\"gpu-1\",\"Hostname\":\"127.0.0.1\",\"Port\":" + sim.port() + "}],"
          + "\"Frontends\":[{\"Identifier\":\"main\",\"Hostname\":\"*\",\"Backends\":[\"gpu-1\"]}]}");
      ServerOptions options = ServerOptions.parse(new String[] {"--config", config.toString()});
      try (OllamaFlowServer server = OllamaFlowServer.start(options, ServerSettings.load(config))) {
        HttpResponse<String> answer = HttpClient.newHttpClient().send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/api/generate"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"llama3\",\"stream\":false}")).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.headers().firstValue("X-OllamaFlow-Backend")).contains("gpu-1");
      }
    }
    try (PostgresConfigStore store = pg.store(db).build()) {
      assertThat(store.frontend("main").orElseThrow().backends()).containsExactly("gpu-1");
    }
    assertThat(dir.resolve("ollamaflow.db")).as("no SQLite file beside it").doesNotExist();
  }

  @Test
  void withPostgresqlTheStickySessionsAreSharedThereUnlessShareLiveStateIsFalse() throws Exception {
    for (boolean share : new boolean[] {true, false}) {
      String db = pg.newDatabase();
      try (SimulatedOllama sim = SimulatedOllama.builder().id("gpu-1").tokenDelay(Duration.ZERO).start()) {
        Path config = write("{\"Webserver\":{\"Hostname\":\"127.0.0.1\",\"Port\":0},"
            + "\"Database\":{\"Type\":\"PostgreSQL\",\"JdbcUrl\":\"" + pg.url(db) + "\",\"User\":\"" + TestPostgres.USER
            + "\",\"Password\":\"" + pg.password() + "\"" + (share ? "" : ",\"ShareLiveState\":false") + "},"
            + "\"Backends\":[{\"Identifier\":\"gpu-1\",\"Hostname\":\"127.0.0.1\",\"Port\":" + sim.port() + "}],"
            + "\"Frontends\":[{\"Identifier\":\"main\",\"Hostname\":\"*\",\"Backends\":[\"gpu-1\"],"
            + "\"UseStickySessions\":true}]}");
        ServerOptions options = ServerOptions.parse(new String[] {"--config", config.toString()});
        try (OllamaFlowServer server = OllamaFlowServer.start(options, ServerSettings.load(config))) {
          HttpResponse<String> answer = HttpClient.newHttpClient().send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/api/generate"))
                  .header("X-Conversation-Id", "conversation-1")
                  .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"llama3\",\"stream\":false}")).build(),
              HttpResponse.BodyHandlers.ofString());
          assertThat(answer.statusCode()).isEqualTo(200);
        }
      }
      try (PostgresLiveState shared = pg.liveState(db).build()) {
        if (share) {
          assertThat(shared.sessions()).singleElement()
              .satisfies(s -> assertThat(s.clientKey() + "->" + s.backendId()).isEqualTo("conversation-1->gpu-1"));
        } else {
          assertThat(shared.sessions()).as("ShareLiveState false keeps sessions in each instance").isEmpty();
        }
      }
    }
  }

  @Test
  void anUnreachableDatabaseStopsTheServerWithExitCode2AndSaysWhy() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    String url = "jdbc:postgresql://127.0.0.1:" + port + "/flow";
    Path config = write(postgresSettings(url, "flow", "secret-pw"));

    Exit exit = runServer(config);
    assertThat(exit.code).as(exit.stderr).isEqualTo(2);
    assertThat(exit.stderr).contains("ollamaflow: PostgreSQL: cannot connect to " + url + " as user 'flow'")
        .contains("refused").doesNotContain("secret-pw").doesNotContain("\tat ");
  }

  @Test
  void aDatabaseWithANewerSchemaStopsTheServerWithExitCode2() throws Exception {
    String db = pg.newDatabase();
    pg.store(db).build().close();
    try (Connection c = pg.connect(db); Statement s = c.createStatement()) {
      s.execute("UPDATE schema_version SET version = 99");
    }
    Exit exit = runServer(write(postgresSettings(pg.url(db), TestPostgres.USER, pg.password())));
    assertThat(exit.code).as(exit.stderr).isEqualTo(2);
    assertThat(exit.stderr).contains("has schema version 99, newer than the version")
        .contains("use a newer release").doesNotContain(pg.password());
  }

  @Test
  void badDatabaseSettingsAreRefusedNamingTheKeyAndNeverThePassword() throws Exception {
    assertRefused("{\"Database\":{\"Type\":\"MySQL\"}}", "Database.Type: \"MySQL\" (expected: Sqlite or PostgreSQL)");
    assertRefused("{\"Database\":{\"Type\":\"PostgreSQL\",\"User\":\"u\"}}",
        "Database.JdbcUrl: missing (needed with \"Type\": \"PostgreSQL\")");
    assertRefused("{\"Database\":{\"Type\":\"PostgreSQL\",\"JdbcUrl\":\"jdbc:mysql://h/x?password=p\",\"User\":\"u\"}}",
        "Database.JdbcUrl: \"jdbc:mysql://h/x\" (expected: jdbc:postgresql://HOST:PORT/DATABASE)");
    assertRefused("{\"Database\":{\"Type\":\"PostgreSQL\",\"JdbcUrl\":\"jdbc:postgresql://h/x\"}}",
        "Database.User: missing (needed with \"Type\": \"PostgreSQL\")");
    assertRefused(postgresSettings("jdbc:postgresql://h/x", "u", "p").replace("}}", ",\"PasswordFile\":\"/f\"}}"),
        "Database: set Password or PasswordFile, not both");
    assertRefused("{\"Database\":{\"Type\":\"PostgreSQL\",\"JdbcUrl\":\"jdbc:postgresql://h/x\",\"User\":\"u\","
        + "\"PasswordFile\":\"" + dir.resolve("missing") + "\"}}",
        "Database.PasswordFile: cannot read " + dir.resolve("missing") + " (NoSuchFileException)");
    assertRefused("{\"Database\":{\"Type\":\"PostgreSQL\",\"JdbcUrl\":\"jdbc:postgresql://h/x\",\"User\":\"u\","
        + "\"Password\":12345}}", "Database.Password: expected a non-empty string");
    assertRefused("{\"Database\":{\"JdbcUrl\":\"jdbc:postgresql://h/x\"}}",
        "Database.JdbcUrl: set only with \"Type\": \"PostgreSQL\"");
    assertRefused(postgresSettings("jdbc:postgresql://h/x", "u", "p").replace("}}", ",\"ShareLiveState\":\"yes\"}}"),
        "Database.ShareLiveState: \"yes\" (expected: true or false)");
    assertRefused(postgresSettings("jdbc:postgresql://h/x", "u", "p").replace("}}", ",\"LiveStateTimeoutMs\":5}}"),
        "Database.LiveStateTimeoutMs: 5 (expected: 10 to 60000)");
    assertRefused("{\"Database\":{\"ShareLiveState\":false}}",
        "Database.ShareLiveState: set only with \"Type\": \"PostgreSQL\"");
  }

  @Test
  void withoutADatabaseSectionTheServerKeepsUsingTheSqliteFile() throws Exception {
    ServerSettings settings = ServerSettings.load(write("{\"DatabaseFilename\":\"" + dir.resolve("flow.db") + "\"}"));
    assertThat(settings.database.type).isEqualTo(DatabaseSettings.Type.SQLITE);
    try (var store = settings.database.open(settings.databaseFilename)) {
      assertThat(store.backends()).isEmpty();
    }
    assertThat(dir.resolve("flow.db")).exists();
  }

  private void assertRefused(String json, String message) throws IOException {
    Path config = write(json);
    assertThatThrownBy(() -> ServerSettings.load(config)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }

  private static String postgresSettings(String url, String user, String password) {
    return "{\"Webserver\":{\"Hostname\":\"127.0.0.1\",\"Port\":0},\"Database\":{\"Type\":\"PostgreSQL\","
        + "\"JdbcUrl\":\"" + url + "\",\"User\":\"" + user + "\",\"Password\":\"" + password + "\"}}";
  }

  private Path write(String json) throws IOException {
    Path config = dir.resolve("ollamaflow.json");
    Files.writeString(config, json);
    return config;
  }

  private record Exit(int code, String stderr) {}

  /** The server's main in a JVM of its own, as a user starts it, so its exit code can be seen. */
  private Exit runServer(Path config) throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process process = new ProcessBuilder(List.of(java.toString(), "-cp", System.getProperty("java.class.path"),
        OllamaFlowServer.class.getName(), "--config", config.toString()))
        .directory(dir.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    String stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("the server neither started nor exited in 60 s: " + stderr);
    }
    return new Exit(process.exitValue(), stderr);
  }
}
