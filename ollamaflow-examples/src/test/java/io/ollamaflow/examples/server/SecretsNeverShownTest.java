package io.ollamaflow.examples.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ollamaflow.examples.sim.SimulatedOllama;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Secrets (admin tokens, backends' credentials, database passwords, API keys' secrets, clients'
 * Authorization and API-key headers) never appear in what the server shows: log lines at debug, answers (bodies and
 * headers) of successes, refusals, backend failures and bad admin calls, or {@code /metrics}.
 * Every secret is a recognisable string, driven through the real standalone server.
 */
class SecretsNeverShownTest {
  private static final String ADMIN_TOKEN = "ADMIN-SECRET-a1";
  private static final String BACKEND_TOKEN = "BACKEND-SECRET-b2";
  private static final String BACKEND_HEADER = "HEADER-SECRET-c3";
  private static final String BACKEND_QUERY = "QUERY-SECRET-d4";
  private static final String DOWN_BACKEND_TOKEN = "BACKEND-SECRET-e5";
  private static final String CLIENT_TOKEN = "CLIENT-SECRET-f6";
  private static final String CLIENT_KEY = "CLIENT-KEY-SECRET-g7";
  private static final String WRONG_ADMIN_TOKEN = "WRONG-ADMIN-SECRET-h8";
  private static final String NEW_BACKEND_TOKEN = "NEW-BACKEND-SECRET-i9";
  private static final String DATABASE_PASSWORD = "DB-SECRET-j10";
  private static final String URL_PASSWORD = "URL-SECRET-k11";
  private static final String WRONG_API_KEY = "ofk_WRONG-KEY-SECRET-m13";
  private static final MediaType JSON = MediaType.get("application/json");

  private final OkHttpClient http = new OkHttpClient.Builder().retryOnConnectionFailure(false).build();
  private final StringBuilder shown = new StringBuilder();
  /** Issued by the server during the test, so not a constant. */
  private String apiKeySecret = "not issued";

  @TempDir
  Path dir;

  @AfterEach
  void restoreDefaultLogging() {
    LogbackSetup.apply(LoggingSettings.DEFAULT);
  }

  @Test
  void noSecretAppearsInLogsAnswersOrMetrics() throws Exception {
    Path logs = dir.resolve("logs");
    try (SimulatedOllama sim = SimulatedOllama.builder().id("gpu-1").models(List.of("llama3.2"))
        .tokenDelay(Duration.ZERO).start()) {
      Path config = dir.resolve("ollamaflow.json");
      Files.writeString(config, "{\"Webserver\":{\"Hostname\":\"127.0.0.1\",\"Port\":0},"
          + "\"DatabaseFilename\":\"" + dir.resolve("flow.db") + "\","
          + "\"AdminBearerTokens\":[\"" + ADMIN_TOKEN + "\"],"
          + "\"Logging\":{\"ConsoleLogging\":false,\"MinimumSeverity\":7,\"LogQueries\":true,\"LogResults\":true,"
          + "\"LogDirectory\":\"" + logs
          + "\",\"LogFilename\":\"flow.log\"},"
          + "\"Backends\":[{\"Identifier\":\"gpu-1\",\"Hostname\":\"127.0.0.1\",\"Port\":" + sim.port()
          + ",\"BearerToken\":\"" + BACKEND_TOKEN + "\",\"Headers\":{\"X-Api-Key\":\"" + BACKEND_HEADER + "\"},"
          + "\"Querystring\":\"key=" + BACKEND_QUERY + "\"},"
          + "{\"Identifier\":\"down\",\"Hostname\":\"127.0.0.1\",\"Port\":" + closedPort() + ",\"BearerToken\":\""
          + DOWN_BACKEND_TOKEN + "\",\"Querystring\":\"key=" + BACKEND_QUERY + "\"}],"
          + "\"Frontends\":[{\"Identifier\":\"main\",\"Hostname\":\"*\",\"Backends\":[\"gpu-1\"]},"
          + "{\"Identifier\":\"broken\",\"Hostname\":\"broken.test\",\"Backends\":[\"down\"]},"
          + "{\"Identifier\":\"keyed\",\"Hostname\":\"keyed.test\",\"Backends\":[\"gpu-1\"],\"RequireApiKey\":true}]}");
      ServerOptions options = ServerOptions.parse(new String[] {"--config", config.toString()});
      try (OllamaFlowServer server = OllamaFlowServer.start(options, ServerSettings.load(config))) {
        String base = "http://127.0.0.1:" + server.port();
        List<Integer> statuses = new ArrayList<>();
        String generate = "{\"model\":\"llama3.2\",\"prompt\":\"hi\",\"stream\":false}";
        statuses.add(inference(base + "/api/generate", generate, null));
        statuses.add(inference(base + "/api/chat", "{\"model\":\"llama3.2\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", null));
        statuses.add(inference(base + "/v1/chat/completions",
            "{\"model\":\"llama3.2\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", null));
        statuses.add(inference(base + "/api/generate", "{\"model\":\"no-such-model\",\"prompt\":\"hi\"}", null));
        statuses.add(inference(base + "/api/generate", "not json", null));
        sim.failNext(5, 500);
        statuses.add(inference(base + "/api/generate", generate, null));
        sim.clearFaults();
        statuses.add(inference(base + "/api/generate", generate, "broken.test"));
        assertThat(statuses).containsExactly(200, 200, 200, 404, 400, 500, 502);

        assertThat(call(new Request.Builder().url(base + "/v1.0/backends")
            .header("Authorization", "Bearer " + WRONG_ADMIN_TOKEN))).isEqualTo(401);
        assertThat(call(new Request.Builder().url(base + "/v1.0/backends?token=" + ADMIN_TOKEN))).isEqualTo(401);
        assertThat(call(admin(base + "/v1.0/backends"))).isEqualTo(200);
        assertThat(call(admin(base + "/v1.0/backends/gpu-1/health"))).isEqualTo(200);
        assertThat(call(admin(base + "/v1.0/backends").put(RequestBody.create("{\"Identifier\":\"b3\",\"Port\":70000,"
            + "\"BearerToken\":\"" + NEW_BACKEND_TOKEN + "\"}", JSON)))).isEqualTo(400);
        assertThat(call(admin(base + "/v1.0/backends").put(RequestBody.create("{\"Identifier\":\"b3\",\"BearerToken\":"
            + "[\"" + NEW_BACKEND_TOKEN + "\"]}", JSON)))).isEqualTo(400);
        assertThat(call(admin(base + "/v1.0/backends").put(RequestBody.create("{\"Identifier\":\"b3\",\"BearerToken\":\""
            + NEW_BACKEND_TOKEN + "\"}", JSON)))).isEqualTo(201);
        apiKeySecret = issueApiKey(base);
        assertThat(inferenceWithToken(base + "/api/generate", generate, apiKeySecret, null)).isEqualTo(200);
        assertThat(inferenceWithToken(base + "/api/generate", generate, apiKeySecret, "keyed.test")).isEqualTo(200);
        assertThat(inferenceWithToken(base + "/api/generate", generate, WRONG_API_KEY, "keyed.test")).isEqualTo(401);
        assertThat(inferenceWithToken(base + "/v1/chat/completions",
            "{\"model\":\"llama3.2\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", WRONG_API_KEY, "keyed.test"))
            .isEqualTo(401);
        assertThat(call(new Request.Builder().url(base + "/api/generate").post(RequestBody.create(generate, JSON))
            .header("Host", "keyed.test").header("Authorization", "Bearer " + apiKeySecret).header("X-Api-Key", CLIENT_KEY)))
            .as("two different keys").isEqualTo(401);
        assertThat(call(admin(base + "/v1.0/apikeys"))).isEqualTo(200);
        assertThat(call(admin(base + "/v1.0/apikeys/ci/usage"))).isEqualTo(200);
        assertThat(call(new Request.Builder().url(base + MetricsEndpoint.PATH))).isEqualTo(200);
        assertThat(shown).as("the scrape saw the traffic").contains("backend=\"gpu-1\"");
        assertThat(shown).as("the backends were shown, redacted").contains("\"BearerToken\": \"********\"");
      }
      assertThat(sim.requests()).as("the backend got its credentials")
          .anyMatch(r -> ("Bearer " + BACKEND_TOKEN).equals(r.header("Authorization")));
    }
    restoreDefaultLogging(); // closes the file
    String log = Files.readString(logs.resolve("flow.log"));
    assertThat(log).as("debug lines were written").contains(" DEBUG ", "admin PUT /v1.0/backends", "POST /api/generate",
        "refused", "request body (", "response body (");
    assertNoSecretIn(log, "the log");
    assertNoSecretIn(shown.toString(), "the answers");
  }

  @Test
  void databasePasswordsStayOutOfTheStartUpErrorAndLog() throws Exception {
    Path config = dir.resolve("ollamaflow.json");
    Files.writeString(config, "{\"Webserver\":{\"Hostname\":\"127.0.0.1\",\"Port\":0},"
        + "\"Logging\":{\"MinimumSeverity\":7},"
        + "\"Database\":{\"Type\":\"PostgreSQL\",\"JdbcUrl\":\"jdbc:postgresql://127.0.0.1:" + closedPort()
        + "/flow?password=" + URL_PASSWORD + "\",\"User\":\"flow\",\"Password\":\"" + DATABASE_PASSWORD + "\"}}");
    ServerProcess.Exit exit = ServerProcess.run(config);
    assertThat(exit.status()).as(exit.output()).isEqualTo(2);
    assertThat(exit.output()).contains("127.0.0.1");
    assertNoSecretIn(exit.output(), "the start-up output");
  }

  private void assertNoSecretIn(String text, String where) {
    for (String secret : List.of(apiKeySecret, ADMIN_TOKEN, BACKEND_TOKEN, BACKEND_HEADER, BACKEND_QUERY, DOWN_BACKEND_TOKEN,
        CLIENT_TOKEN, CLIENT_KEY, WRONG_ADMIN_TOKEN, NEW_BACKEND_TOKEN, DATABASE_PASSWORD, URL_PASSWORD, WRONG_API_KEY)) {
      assertThat(text).as(where).doesNotContain(secret);
    }
  }

  private int inference(String url, String body, String host) throws Exception {
    Request.Builder request = new Request.Builder().url(url).post(RequestBody.create(body, JSON))
        .header("Authorization", "Bearer " + CLIENT_TOKEN).header("X-Api-Key", CLIENT_KEY);
    if (host != null) request.header("Host", host);
    return call(request);
  }

  private int inferenceWithToken(String url, String body, String token, String host) throws Exception {
    Request.Builder request = new Request.Builder().url(url).post(RequestBody.create(body, JSON))
        .header("Authorization", "Bearer " + token).header("X-Api-Key", token);
    if (host != null) request.header("Host", host);
    return call(request);
  }

  /** Creates an API key; its secret is in this one answer by design, so the answer is not kept with the others. */
  private String issueApiKey(String base) throws Exception {
    try (Response created = http.newCall(admin(base + "/v1.0/apikeys")
        .put(RequestBody.create("{\"Identifier\":\"ci\",\"Name\":\"CI\"}", JSON)).build()).execute()) {
      String body = created.body().string();
      assertThat(created.code()).as(body).isEqualTo(201);
      String secret = new ObjectMapper().readTree(body).get("Secret").asText();
      assertThat(secret).startsWith("ofk_");
      return secret;
    }
  }

  private Request.Builder admin(String url) {
    return new Request.Builder().url(url).header("Authorization", "Bearer " + ADMIN_TOKEN);
  }

  /** Makes the call and keeps everything it showed: status, headers and body. */
  private int call(Request.Builder request) throws Exception {
    try (Response response = http.newCall(request.build()).execute()) {
      shown.append(response.code()).append('\n').append(response.headers()).append(response.body().string()).append('\n');
      return response.code();
    }
  }

  private static int closedPort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
