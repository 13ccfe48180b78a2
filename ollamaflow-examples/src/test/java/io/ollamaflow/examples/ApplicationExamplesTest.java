package io.ollamaflow.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Examples 3 to 5, each run against simulated backends. */
class ApplicationExamplesTest {
  private static final MediaType JSON = MediaType.get("application/json");

  @Test
  void inProcessExampleStreamsTheAnswerToItsOutput() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    String backend = InProcessExample.run(List.of(), new PrintStream(bytes, true, StandardCharsets.UTF_8));

    String out = bytes.toString(StandardCharsets.UTF_8);
    assertThat(backend).isIn("sim-1", "sim-2");
    assertThat(out).startsWith("models: [llama3.2:latest]\n").contains("[" + backend + "] ");
    String answer = out.substring(out.indexOf("] ") + 2).strip();
    assertThat(answer).as("the tokens, printed as they arrived").isNotBlank();
  }

  @Test
  void customBalancerRegisteredOnTheBuilderChoosesEveryBackend() throws Exception {
    Map<String, Integer> served = CustomBalancerExample.run(List.of(), new PrintStream(new ByteArrayOutputStream()));

    assertThat(served.keySet()).allMatch(who -> who.contains(" by least-utilization"));
    assertThat(served.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(8);
  }

  @Test
  void persistentServerKeepsWhatTheAdminApiChangedAcrossARestart(@TempDir Path dir) throws Exception {
    OkHttpClient client = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(20)).build();
    Path database = dir.resolve("flow.db");
    String auth = "Bearer " + PersistentServerExample.ADMIN_TOKEN;
    try (PersistentServerExample server = PersistentServerExample.start(database, 0, List.of())) {
      String base = "http://127.0.0.1:" + server.port();
      try (Response answer = client.newCall(new Request.Builder().url(base + "/api/generate")
          .post(RequestBody.create("{\"model\":\"llama3.2\",\"prompt\":\"Hi\",\"stream\":false}", JSON)).build()).execute()) {
        assertThat(answer.code()).isEqualTo(200);
        assertThat(answer.header("X-OllamaFlow-Backend")).startsWith("sim-");
      }
      try (Response created = client.newCall(new Request.Builder().url(base + "/v1.0/frontends").header("Authorization", auth)
          .put(RequestBody.create("{\"Identifier\":\"extra\",\"Hostname\":\"extra.example\",\"Backends\":[\"sim-1\"]}", JSON))
          .build()).execute()) {
        assertThat(created.code()).isEqualTo(201);
      }
    }
    try (PersistentServerExample server = PersistentServerExample.start(database, 0, List.of())) {
      String base = "http://127.0.0.1:" + server.port();
      try (Response extra = client.newCall(new Request.Builder().url(base + "/v1.0/frontends/extra")
          .header("Authorization", auth).build()).execute()) {
        assertThat(extra.code()).isEqualTo(200);
        assertThat(extra.body().string()).contains("extra.example");
      }
      try (Response refused = client.newCall(new Request.Builder().url(base + "/v1.0/frontends").build()).execute()) {
        assertThat(refused.code()).isEqualTo(401);
      }
    } finally {
      client.connectionPool().evictAll();
    }
  }
}
