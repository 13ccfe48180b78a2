package io.ollamaflow.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.ollamaflow.api.Frontend;
import io.ollamaflow.core.testing.CapturedLog;
import io.ollamaflow.core.testing.ScenarioHarness;
import io.ollamaflow.core.testing.Eventually;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import mockwebserver3.MockWebServer;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Request and answer bodies in the log ({@code FlowCluster.Builder.logBodies}, a frontend's
 * LogRequestBody / LogResponseBody): present when asked for, absent otherwise, bounded, and with
 * credentials redacted. Bodies are logged once the request ends, which may be just after the client
 * read the answer: tests wait for what must appear, and before checking what must not, they wait
 * for a marker request sent after it on the same connection (served by the same thread, in order).
 */
class BodyLoggingTest {
  private static final String ANSWER = "{\"model\":\"m\",\"response\":\"the answer\",\"done\":true}";
  private static final String REQUEST = "{\"model\":\"m\",\"prompt\":\"the question\",\"stream\":false}";

  private final ScenarioHarness harness = new ScenarioHarness();

  @AfterEach
  void stop() {
    harness.close();
  }

  @Test
  void bothBodiesAreLoggedUnderTheRequestIdWhenTheClusterAsks() throws Exception {
    start(b -> b.logBodies(true, true), Frontend.builder("f1"));
    try (CapturedLog log = new CapturedLog(); Response response = harness.post("/api/generate", REQUEST)) {
      assertThat(response.body().string()).isEqualTo(ANSWER);
      String id = response.header("X-OllamaFlow-Request");
      awaitLogged(log, "[" + id + "] request body (" + REQUEST.length() + " bytes): " + REQUEST);
      awaitLogged(log, "[" + id + "] response body (" + ANSWER.length() + " bytes): " + ANSWER);
    }
  }

  @Test
  void noBodyIsLoggedByDefault() throws Exception {
    start(b -> {}, Frontend.builder("f1"));
    try (CapturedLog log = new CapturedLog(); Response response = harness.post("/api/generate", REQUEST)) {
      assertThat(response.body().string()).isEqualTo(ANSWER);
      settle(log);
      assertThat(log.text()).doesNotContain("the question", "the answer", "response body");
    }
  }

  @Test
  void aFrontendsLogRequestBodyLogsItsRequestsOnly() throws Exception {
    start(b -> {}, Frontend.builder("f1").logRequestBody(true));
    try (CapturedLog log = new CapturedLog(); Response response = harness.post("/api/generate", REQUEST)) {
      assertThat(response.body().string()).isEqualTo(ANSWER);
      awaitLogged(log, "the question");
      settle(log);
      assertThat(log.text()).doesNotContain("response body", "the answer");
    }
  }

  @Test
  void aBackendsLogResponseBodyLogsTheAnswersItServesOnly() throws Exception {
    harness.start(b -> b.disableActiveHealthChecks());
    MockWebServer flagged = harness.backend("{\"response\":\"from-flagged\",\"done\":true}");
    MockWebServer plain = harness.backend("{\"response\":\"from-plain\",\"done\":true}");
    harness.configure(Frontend.builder("f1"), ScenarioHarness.backendFor("b1", flagged).logResponseBody(true).build(),
        ScenarioHarness.backendFor("b2", plain).build());
    harness.store.putFrontend(Frontend.builder("marker").hostname("marker.test").backends(List.of("b1"))
        .logRequestBody(true).build());
    harness.cluster().reload();
    try (CapturedLog log = new CapturedLog()) {
      for (int i = 0; i < 2; i++) { // round-robin: one answer from each
        try (Response response = harness.post("/api/generate", REQUEST)) {
          assertThat(response.code()).isEqualTo(200);
          response.body().string();
        }
      }
      awaitLogged(log, "from-flagged");
      settle(log);
      assertThat(log.text()).doesNotContain("from-plain", "the question");
    }
  }

  @Test
  void credentialsInABodyAreRedacted() throws Exception {
    start(b -> b.logBodies(true, false), Frontend.builder("f1"));
    String body = "{\"model\":\"m\",\"api_key\":\"SECRET-ONE\",\"options\":{\"Password\":\"SECRET-\\\"TWO\"},"
        + "\"prompt\":\"use Authorization: Bearer SECRET-THREE please\",\"max_tokens\":5}";
    try (CapturedLog log = new CapturedLog(); Response response = harness.post("/api/generate", body)) {
      assertThat(response.code()).isEqualTo(200);
      awaitLogged(log, "max_tokens");
      assertThat(log.text()).doesNotContain("SECRET-")
          .contains("\"api_key\":\"********\"", "\"Password\":\"********\"", "Bearer ********", "\"max_tokens\":5");
    }
  }

  @Test
  void aLongBodyIsCutToItsFirst8192BytesWithItsLengthNoted() throws Exception {
    start(b -> b.logBodies(true, false), Frontend.builder("f1"));
    String body = "{\"model\":\"m\",\"prompt\":\"" + "x".repeat(20_000) + "END\"}";
    try (CapturedLog log = new CapturedLog(); Response response = harness.post("/api/generate", body)) {
      assertThat(response.code()).isEqualTo(200);
      awaitLogged(log, "request body");
      String line = log.text().lines().filter(l -> l.contains("request body")).findFirst().orElseThrow();
      assertThat(line).contains("request body (" + body.length() + " bytes, the first 8192 shown): {\"model\"")
          .doesNotContain("END");
      assertThat(line.length()).isLessThan(8192 + 200);
    }
  }

  @Test
  void aBodyHeldPartlyOnDiskIsLoggedFromItsStartWithItsWholeLength(@TempDir Path spool) throws Exception {
    start(b -> b.logBodies(true, false).requestBodySpool(spool, 0, 1 << 20), Frontend.builder("f1"));
    String body = "{\"model\":\"m\",\"prompt\":\"" + "y".repeat(30_000) + "END\"}";
    try (CapturedLog log = new CapturedLog(); Response response = harness.post("/api/generate", body)) {
      assertThat(response.code()).isEqualTo(200);
      awaitLogged(log, "request body");
      String line = log.text().lines().filter(l -> l.contains("request body")).findFirst().orElseThrow();
      assertThat(line).contains("request body (" + body.length() + " bytes, the first 8192 shown): {\"model\":\"m\","
          + "\"prompt\":\"yyy").doesNotContain("END");
    }
  }

  @Test
  void aBodyRefusedAsMalformedOrWithoutAModelIsStillLogged() throws Exception {
    start(b -> b.logBodies(true, false), Frontend.builder("f1"));
    String malformed = "{\"prompt\": oops, \"model\":\"m\"}";
    String noModel = "{\"prompt\":\"which model?\"}";
    try (CapturedLog log = new CapturedLog()) {
      for (String body : List.of(malformed, noModel)) {
        try (Response response = harness.post("/api/generate", body)) {
          assertThat(response.code()).as(body).isEqualTo(400);
          String id = response.header("X-OllamaFlow-Request");
          awaitLogged(log, "[" + id + "] request body (");
        }
      }
      assertThat(log.text()).contains("request body (" + malformed.length() + " bytes): " + malformed)
          .contains("request body (" + noModel.length() + " bytes): " + noModel);
    }
  }

  @Test
  void aFrontendsLogRequestFullLogsTheHeadWithCredentialsHiddenAndTheBody() throws Exception {
    start(b -> {}, Frontend.builder("f1").logRequestFull(true));
    Request request = new Request.Builder().url(harness.url("/api/generate?api-version=2024-10&key=SECRET-Q&SECRET-BARE"))
        .header("Authorization", "Bearer SECRET-A").header("X-Session", "SECRET-S")
        .post(RequestBody.create(REQUEST, ScenarioHarness.JSON)).build();
    try (CapturedLog log = new CapturedLog(); Response response = harness.call(request.newBuilder())) {
      assertThat(response.body().string()).isEqualTo(ANSWER);
      String id = response.header("X-OllamaFlow-Request");
      awaitLogged(log, "[" + id + "] request body (");
      String head = log.text().lines().filter(l -> l.contains("[" + id + "] request head: ")).findFirst().orElseThrow();
      assertThat(head).contains("request head: POST /api/generate?api-version=2024-10&key=********&******** from 127.0.0.1",
          " | Authorization: ********", " | X-Session: ********", " | User-Agent: okhttp/",
          " | Content-Type: application/json");
      assertThat(log.text()).doesNotContain("SECRET-").contains("[" + id + "] request body (" + REQUEST.length()
          + " bytes): " + REQUEST);
      settle(log);
      assertThat(log.text()).as("the marker frontend logs bodies only").doesNotContain("request head: POST /api/generate from");
    }
  }

  /** The cluster, with {@code frontend} for any host and one for {@code marker.test} that logs request bodies. */
  private void start(Consumer<FlowCluster.Builder> options, Frontend.Builder frontend) throws Exception {
    harness.start(b -> options.accept(b.disableActiveHealthChecks()));
    MockWebServer backend = harness.backend(ANSWER);
    harness.configure(frontend, ScenarioHarness.backendFor("b1", backend).build());
    harness.store.putFrontend(Frontend.builder("marker").hostname("marker.test").backends(List.of("b1"))
        .logRequestBody(true).build());
    harness.cluster().reload();
  }

  private static void awaitLogged(CapturedLog log, String text) throws Exception {
    Eventually.until(Duration.ofSeconds(10), "the log shows " + text, () -> log.text().contains(text));
  }

  /** Every earlier request on the connection has written its bodies once the marker's is logged. */
  private void settle(CapturedLog log) throws Exception {
    try (Response marker = harness.call(new Request.Builder().url(harness.url("/api/generate")).header("Host", "marker.test")
        .post(RequestBody.create("{\"model\":\"m\",\"prompt\":\"marker\"}", ScenarioHarness.JSON)))) {
      assertThat(marker.code()).isEqualTo(200);
      marker.body().string();
    }
    awaitLogged(log, "\"prompt\":\"marker\"");
  }
}
