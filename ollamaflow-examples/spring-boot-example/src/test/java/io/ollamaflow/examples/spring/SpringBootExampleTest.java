package io.ollamaflow.examples.spring;

import static io.ollamaflow.examples.spring.RunningApp.CLIENT;
import static io.ollamaflow.examples.spring.RunningApp.awaitTrue;
import static io.ollamaflow.examples.spring.RunningApp.post;
import static io.ollamaflow.examples.spring.RunningApp.firstBackend;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ollamaflow.examples.sim.SimulatedOllama;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The example application through embedded Tomcat and real sockets, as a Spring user runs it:
 * streams relayed chunk by chunk, a client that hangs up, a graceful shutdown with a stream in
 * flight, model ids with an encoded slash, and the application's own controller beside /llm.
 */
class SpringBootExampleTest {
  private static final String CHAT = "{\"model\":\"llama3.2\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";
  private static final List<String> NDJSON = List.of(
      "{\"model\":\"llama3.2\",\"message\":{\"role\":\"assistant\",\"content\":\"Hel\"},\"done\":false}\n",
      "{\"model\":\"llama3.2\",\"message\":{\"role\":\"assistant\",\"content\":\"lo\"},\"done\":false}\n",
      "{\"model\":\"llama3.2\",\"message\":{\"role\":\"assistant\",\"content\":\"\"},\"done\":true,\"done_reason\":\"stop\"}\n");
  private static final List<String> SSE = List.of(
      "data: {\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Hel\"}}]}\n\n",
      "data: {\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo\"},\"finish_reason\":\"stop\"}]}\n\n",
      "data: [DONE]\n\n");

  @Test
  void ndjsonChatReachesTheClientLineByLineBeforeTheBackendWritesTheNextLine() throws Exception {
    assertChunksArriveOneAtATime("/api/chat", "Ollama", "application/x-ndjson", NDJSON);
  }

  @Test
  void sseChatCompletionReachesTheClientEventByEventBeforeTheBackendWritesTheNextEvent() throws Exception {
    // An OpenAI-format backend, so the events are relayed as sent rather than translated from NDJSON.
    assertChunksArriveOneAtATime("/v1/chat/completions", "OpenAI", "text/event-stream", SSE);
  }

  private static void assertChunksArriveOneAtATime(String path, String apiFormat, String contentType,
      List<String> chunks) throws Exception {
    String request = CHAT.replace("}]}", "}],\"stream\":true}");
    try (GatedBackend backend = new GatedBackend(Map.of(path, new GatedBackend.Stream(contentType, chunks)));
         RunningApp app = RunningApp.start(firstBackend(backend.port()), "--llm.backends[0].api-format=" + apiFormat)
             .awaitModel("llama3.2")) {
      HttpResponse<InputStream> response = CLIENT.send(post(app.uri("/llm" + path), request),
          HttpResponse.BodyHandlers.ofInputStream());
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith(contentType));
      try (InputStream body = response.body()) {
        for (int i = 0; i < chunks.size(); i++) {
          byte[] chunk = chunks.get(i).getBytes(StandardCharsets.UTF_8);
          // The backend holds chunk i + 1 until released, so reading chunk i proves Tomcat did not buffer it.
          assertThat(new String(body.readNBytes(chunk.length), StandardCharsets.UTF_8)).isEqualTo(chunks.get(i));
          assertThat(backend.written()).as("chunks the backend had written when chunk %d arrived", i).isEqualTo(i + 1);
          backend.release();
        }
        assertThat(body.read()).as("end of the stream").isEqualTo(-1);
      }
    }
  }

  @Test
  void clientThatHangsUpMidStreamCancelsTheBackendCallAndFreesTheBackendsOnlySlot() throws Exception {
    try (SimulatedOllama backend = SimulatedOllama.builder().models(List.of("llama3.2:latest")).tokens(100_000)
             .tokenDelay(Duration.ofMillis(10)).start();
         RunningApp app = RunningApp.start(firstBackend(backend.port()),
             "--llm.backends[0].max-parallel-requests=1").awaitModel("llama3.2")) {
      try (Socket socket = new Socket("127.0.0.1", app.port())) {
        OutputStream out = socket.getOutputStream();
        out.write(("POST /llm/api/chat HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: "
            + CHAT.length() + "\r\n\r\n" + CHAT).getBytes(StandardCharsets.US_ASCII));
        out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        String line;
        do {
          line = in.readLine();
        } while (line != null && !line.contains("\"done\":false"));
        assertThat(line).as("a first token through Tomcat").isNotNull();
        assertThat(backend.activeRequests()).isEqualTo(1);
      }

      awaitTrue("the backend sees its stream cancelled", () -> backend.cancelledStreams() == 1 && backend.activeRequests() == 0);
      backend.setTokenDelay(Duration.ZERO);
      HttpResponse<String> next = CLIENT.send(post(app.uri("/llm/api/chat"), CHAT.replace("}]}", "}],\"stream\":false}")),
          HttpResponse.BodyHandlers.ofString());
      assertThat(next.statusCode()).as("the backend's one slot is free again: %s", next.body()).isEqualTo(200);
      assertThat(next.body()).contains("\"done\":true");
    }
  }

  @Test
  void gracefulShutdownLetsAStreamInFlightFinishAndRefusesNewConnections() throws Exception {
    try (GatedBackend backend = new GatedBackend(Map.of("/api/chat", new GatedBackend.Stream("application/x-ndjson", NDJSON)))) {
      RunningApp app = RunningApp.start(firstBackend(backend.port())).awaitModel("llama3.2");
      int port = app.port();
      try (app) {
        HttpResponse<InputStream> response = CLIENT.send(post(app.uri("/llm/api/chat"), CHAT),
            HttpResponse.BodyHandlers.ofInputStream());
        BufferedReader body = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));
        List<String> received = new ArrayList<>(List.of(body.readLine()));

        CompletableFuture<Void> shutdown = CompletableFuture.runAsync(app::close);
        awaitTrue("Tomcat stops accepting connections", () -> !accepts(port));
        assertThat(shutdown).as("the shutdown waits for the stream").isNotDone();

        for (int i = 1; i < NDJSON.size(); i++) {
          backend.release();
          received.add(body.readLine());
        }
        assertThat(body.readLine()).isNull();
        assertThat(received).containsExactlyElementsOf(NDJSON.stream().map(String::strip).toList());
        shutdown.get();
      }
    }
  }

  @Test
  void modelIdWithAnEncodedSlashPassesTomcatAndReachesTheCluster() throws Exception {
    try (SimulatedOllama backend = SimulatedOllama.builder().models(List.of("Qwen/Qwen3-8B:latest")).start();
         RunningApp app = RunningApp.start(firstBackend(backend.port())).awaitModel("Qwen/Qwen3-8B")) {
      HttpResponse<String> model = app.get("/llm/v1/models/Qwen%2FQwen3-8B");

      assertThat(model.statusCode()).as(model.body()).isEqualTo(200);
      assertThat(model.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
      assertThat(model.body()).contains("\"id\":\"Qwen/Qwen3-8B");
      assertThat(backend.requests()).as("the cluster asked the Ollama backend about the decoded id")
          .anySatisfy(r -> assertThat(r.path() + " " + r.bodyText()).isEqualTo("/api/show {\"model\":\"Qwen/Qwen3-8B\"}"));
    }
  }

  @Test
  void applicationsOwnControllerAnswersBesideTheCluster() throws Exception {
    try (SimulatedOllama backend = SimulatedOllama.builder().models(List.of("llama3.2:latest")).start();
         RunningApp app = RunningApp.start(firstBackend(backend.port())).awaitModel("llama3.2")) {
      assertThat(app.get("/hello").body()).isEqualTo("hello from the Spring application");
      assertThat(app.get("/llm/").body()).isEqualTo("Ollama is running");
      assertThat(app.get("/llm/api/tags").body()).contains("llama3.2:latest");
    }
  }

  @Test
  void backendUrlWithoutSchemeStopsTheStartWithAMessageNamingTheSetting() {
    assertThatThrownBy(() -> RunningApp.start("--llm.backends[0].url=gpu-1:11434"))
        .rootCause().hasMessage("llm.backends[].url: gpu-1:11434 (expected: http://host:port or https://host:port)");
  }

  private static boolean accepts(int port) {
    try (Socket ignored = new Socket("127.0.0.1", port)) {
      return true;
    } catch (ConnectException e) {
      return false;
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }
}
