package io.ollamaflow.examples.sim;

import static io.ollamaflow.examples.sim.SimHttp.eventually;
import static io.ollamaflow.examples.sim.SimHttp.json;
import static io.ollamaflow.examples.sim.SimHttp.ndjson;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SimulatedOllamaHooksTest {
  private static final String GENERATE = "{\"model\":\"llama3\",\"prompt\":\"hi\"}";

  private SimulatedOllama sim;
  private SimHttp http;

  @BeforeEach
  void start() throws Exception {
    sim = SimulatedOllama.builder().id("sim-3").tokenDelay(Duration.ofMillis(20)).start();
    http = new SimHttp(sim);
  }

  @AfterEach
  void stop() {
    sim.close();
  }

  @Test
  void startsOnEphemeralLoopbackPortWithDefaults() {
    assertThat(sim.port()).isPositive();
    assertThat(sim.baseUrl()).isEqualTo("http://127.0.0.1:" + sim.port());
    assertThat(sim.id()).isEqualTo("sim-3");
    assertThat(sim.models()).containsExactly("llama3:latest");
  }

  @Test
  void builderRejectsInvalidSettings() {
    assertThatThrownBy(() -> SimulatedOllama.builder().port(70000))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("port: 70000");
    assertThatThrownBy(() -> SimulatedOllama.builder().tokenDelay(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tokenDelay");
    assertThatThrownBy(() -> SimulatedOllama.builder().id(" "))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("id");
  }

  @Test
  void requestsRecordMethodPathQueryHeadersAndBody() throws Exception {
    http.send(http.requestBuilder("/api/generate?trace=1&x=%20")
        .header("X-Trace-Id", "abc")
        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"llama3\",\"prompt\":\"hi\",\"stream\":false}"))
        .build());
    byte[] big = new byte[100_000];
    String digest = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(big));
    http.send(http.requestBuilder("/api/blobs/sha256:" + digest)
        .POST(HttpRequest.BodyPublishers.ofByteArray(big))
        .build());

    List<SimulatedOllama.Request> requests = sim.requests();
    assertThat(requests).hasSize(2);
    SimulatedOllama.Request generate = requests.get(0);
    assertThat(generate.method()).isEqualTo("POST");
    assertThat(generate.path()).isEqualTo("/api/generate");
    assertThat(generate.query()).isEqualTo("trace=1&x=%20");
    assertThat(generate.header("x-trace-id")).isEqualTo("abc");
    assertThat(generate.header("X-TRACE-ID")).isEqualTo("abc");
    assertThat(generate.header("missing")).isNull();
    assertThat(generate.bodyText()).isEqualTo("{\"model\":\"llama3\",\"prompt\":\"hi\",\"stream\":false}");
    assertThat(generate.bodyLength()).isEqualTo(generate.bodyText().length());
    SimulatedOllama.Request upload = requests.get(1);
    assertThat(upload.bodyLength()).isEqualTo(100_000);
    assertThat(upload.bodySha256()).isEqualTo(digest);
    assertThat(upload.bodyText()).isNull();

    sim.clearRequests();
    assertThat(sim.requests()).isEmpty();
  }

  @Test
  void cancelledStreamIsCounted() throws Exception {
    byte[] body = "{\"model\":\"llama3\",\"prompt\":\"hi\",\"options\":{\"num_predict\":500}}"
        .getBytes(StandardCharsets.UTF_8);
    try (Socket socket = new Socket("127.0.0.1", sim.port())) {
      OutputStream out = socket.getOutputStream();
      out.write(("POST /api/generate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
          + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(body);
      out.flush();
      BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      String line;
      do {
        line = in.readLine();
      } while (line != null && !line.contains("\"response\""));
      assertThat(line).contains("\"response\":\"Hello\"");
      assertThat(sim.cancelledStreams()).isZero();
    }

    assertThat(eventually(Duration.ofSeconds(2), () -> sim.cancelledStreams() == 1)).isTrue();
    assertThat(eventually(Duration.ofSeconds(2), () -> sim.activeRequests() == 0)).isTrue();
  }

  @Test
  void cutStreamAfterDropsConnectionWithoutFinalChunk() throws Exception {
    sim.cutStreamAfter(2);
    String body = "{\"model\":\"llama3\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";
    String raw;
    try (Socket socket = new Socket("127.0.0.1", sim.port())) {
      socket.setSoTimeout(5_000);
      socket.getOutputStream().write(("POST /api/chat HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: "
          + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));
      raw = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    assertThat(raw).startsWith("HTTP/1.1 200").contains("Transfer-encoding: chunked");
    assertThat(raw.split("\"done\":false", -1)).hasSize(3);
    assertThat(raw).doesNotContain("\"done\":true").doesNotEndWith("0\r\n\r\n");
    assertThat(sim.cancelledStreams()).isZero();

    sim.clearFaults();
    assertThat(ndjson(http.post("/api/generate", GENERATE).body())).hasSize(9);
  }

  @Test
  void failNextAnswersGivenStatus() {
    sim.failNext(2, 503);

    assertThat(http.get("/api/tags").statusCode()).as("probes are not inference requests").isEqualTo(200);
    HttpResponse<String> first = http.post("/api/generate", GENERATE);
    assertThat(first.statusCode()).isEqualTo(503);
    assertThat(json(first).path("error").asText()).isNotBlank();
    HttpResponse<String> openAi = http.post("/v1/chat/completions", "{\"model\":\"llama3\",\"messages\":[]}");
    assertThat(openAi.statusCode()).isEqualTo(503);
    assertThat(json(openAi).path("error").path("type").asText()).isEqualTo("api_error");
    assertThat(http.post("/api/generate", GENERATE).statusCode()).isEqualTo(200);
  }

  @Test
  void clearFaultsDisarmsPendingFailures() {
    sim.failNext(5, 500);
    sim.clearFaults();

    assertThat(http.post("/api/generate", GENERATE).statusCode()).isEqualTo(200);
  }

  @Test
  void hangNextNeverAnswersButCloseReturns() throws Exception {
    sim.hangNext(1);
    CompletableFuture<HttpResponse<String>> hung = http.client().sendAsync(
        http.request("POST", "/api/generate", GENERATE), HttpResponse.BodyHandlers.ofString());
    assertThat(eventually(Duration.ofSeconds(2), () -> sim.activeRequests() == 1)).isTrue();

    assertThat(http.post("/api/generate", GENERATE).statusCode()).as("only the next request hangs").isEqualTo(200);
    assertThat(eventually(Duration.ofSeconds(2), () -> sim.activeRequests() == 1)).isTrue();
    Thread.sleep(200);
    assertThat(hung).isNotDone();

    long started = System.nanoTime();
    sim.close();
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
    assertThat(eventually(Duration.ofSeconds(5), hung::isDone)).isTrue();
    assertThat(hung).isCompletedExceptionally();
  }

  @Test
  void maxConcurrentRequestsTracksHighWaterMark() {
    sim.setTokenDelay(Duration.ofMillis(50));
    List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      calls.add(http.client().sendAsync(
          http.request("POST", "/api/generate", GENERATE), HttpResponse.BodyHandlers.ofString()));
    }
    calls.forEach(call -> assertThat(call.join().statusCode()).isEqualTo(200));

    assertThat(sim.maxConcurrentRequests()).isEqualTo(5);
    assertThat(eventually(Duration.ofSeconds(2), () -> sim.activeRequests() == 0)).isTrue();
    assertThat(http.post("/api/generate", "{\"model\":\"llama3\",\"prompt\":\"hi\",\"stream\":false}").statusCode())
        .isEqualTo(200);
    assertThat(sim.maxConcurrentRequests()).isEqualTo(5);
  }

  @Test
  void nonStreamingAnswerTakesTokensTimesDelay() {
    sim.setTokenDelay(Duration.ofMillis(50));
    long started = System.nanoTime();

    http.post("/api/generate",
        "{\"model\":\"llama3\",\"prompt\":\"hi\",\"stream\":false,\"options\":{\"num_predict\":4}}");

    assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(200));
  }
}
