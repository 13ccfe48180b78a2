package io.ollamaflow.examples.sim;

import static io.ollamaflow.examples.sim.SimHttp.eventually;
import static io.ollamaflow.examples.sim.SimHttp.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The durations of a final answer leave exactly the wait for a slot unaccounted for
 * (total_duration beyond load_duration, prompt_eval_duration and eval_duration), which is what a
 * proxy reading them takes for queueing; any other time the simulator spent on the request counts
 * as work, so a pause of its own is never reported as a queue.
 */
class SimulatedOllamaDurationsTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final long MS = 1_000_000;

  private SimulatedOllama sim;

  @AfterEach
  void stop() {
    if (sim != null) {
      sim.close();
    }
  }

  private static long unaccounted(JsonNode answer) {
    return answer.path("total_duration").asLong() - answer.path("load_duration").asLong()
        - answer.path("prompt_eval_duration").asLong() - answer.path("eval_duration").asLong();
  }

  @Test
  void timeSpentOnTheRequestOutsideAWaitForASlotIsNotReportedAsQueueing() throws Exception {
    sim = SimulatedOllama.builder().loadedModels(List.of("llama3")).tokenDelay(Duration.ZERO).start();
    String body = "{\"model\":\"llama3\",\"prompt\":\"hi\",\"stream\":false}";
    // A first request warms the server up, so that the next one's handler starts as its head arrives.
    assertThat(new SimHttp(sim).post("/api/generate", body).statusCode()).isEqualTo(200);
    String head = "POST /api/generate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
        + body.length() + "\r\nConnection: close\r\n\r\n";
    JsonNode answer;
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), sim.port())) {
      OutputStream out = socket.getOutputStream();
      // The body arrives 300 ms after the handler began reading it: time the request spent in the
      // server, but never waiting for a slot (there are four, all free).
      out.write((head + body.substring(0, 10)).getBytes(StandardCharsets.US_ASCII));
      out.flush();
      Thread.sleep(300);
      out.write(body.substring(10).getBytes(StandardCharsets.US_ASCII));
      out.flush();
      answer = json(bodyOf(socket.getInputStream()));
    }

    assertThat(answer.path("total_duration").asLong()).as("the pause is inside the request").isGreaterThanOrEqualTo(200 * MS);
    assertThat(unaccounted(answer)).as("reported as work, not as a wait for a slot").isLessThan(20 * MS);
  }

  @Test
  void aRequestThatWaitedForTheOnlySlotReportsTheWaitAsUnaccountedTime() throws Exception {
    sim = SimulatedOllama.builder().loadedModels(List.of("llama3")).parallel(1).tokens(4)
        .tokenDelay(Duration.ofMillis(150)).start();
    SimHttp http = new SimHttp(sim);
    String body = "{\"model\":\"llama3\",\"prompt\":\"hi\",\"stream\":false}";
    CompletableFuture<HttpResponse<String>> first = http.postAsync("/api/generate", body);
    assertThat(eventually(WAIT, () -> sim.runningRequests() == 1)).isTrue();
    CompletableFuture<HttpResponse<String>> second = http.postAsync("/api/generate", body);
    assertThat(eventually(WAIT, () -> sim.queuedRequests() == 1)).isTrue();

    JsonNode firstAnswer = json(first.get());
    JsonNode secondAnswer = json(second.get());

    assertThat(unaccounted(firstAnswer)).as("the first found its slot free").isLessThan(20 * MS);
    // The second waited while the first generated its 4 tokens, 150 ms apart (600 ms of work).
    assertThat(unaccounted(secondAnswer)).as("the second waited for it").isGreaterThan(100 * MS);
    assertThat(secondAnswer.path("eval_duration").asLong()).isGreaterThanOrEqualTo(600 * MS);
  }

  /** The body of a response sent with Connection: close: everything after the head. */
  private static String bodyOf(InputStream in) throws Exception {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    in.transferTo(all);
    String response = all.toString(StandardCharsets.UTF_8);
    String body = response.substring(response.indexOf("\r\n\r\n") + 4);
    if (response.toLowerCase(java.util.Locale.ROOT).contains("transfer-encoding: chunked")) {
      StringBuilder joined = new StringBuilder();
      int at = 0;
      while (true) {
        int lineEnd = body.indexOf("\r\n", at);
        int size = Integer.parseInt(body.substring(at, lineEnd).trim(), 16);
        if (size == 0) break;
        joined.append(body, lineEnd + 2, lineEnd + 2 + size);
        at = lineEnd + 2 + size + 2;
      }
      return joined.toString();
    }
    return body;
  }
}
