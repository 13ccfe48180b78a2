package io.ollamaflow.core;

import static io.ollamaflow.core.testing.ScenarioHarness.backendFor;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ollamaflow.api.ApiFormat;
import io.ollamaflow.api.Backend;
import io.ollamaflow.api.FlowEventListener;
import io.ollamaflow.api.Frontend;
import io.ollamaflow.api.RequestInfo;
import io.ollamaflow.core.inprocess.ChatRequest;
import io.ollamaflow.core.inprocess.ChatResponse;
import io.ollamaflow.core.inprocess.FlowStream;
import io.ollamaflow.core.internal.translation.StreamEvents;
import io.ollamaflow.core.testing.ChunkedEvents;
import io.ollamaflow.core.testing.ScenarioHarness;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Translation between dialects through real sockets: the proxy translates requests for whichever
 * backend is picked and the answers back, streams event by event, errors included.
 */
class TranslationScenarioTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String NDJSON = "application/x-ndjson";
  private static final String SSE = "text/event-stream";

  private ScenarioHarness harness;

  @BeforeEach
  void start() throws Exception {
    harness = new ScenarioHarness().start(b -> b.disableActiveHealthChecks());
  }

  @AfterEach
  void stop() {
    harness.close();
  }

  // ---- streams arrive event by event ----

  @Test
  void ollamaClientReadsEachTokenOfAnOpenAiBackendBeforeTheNextIsSent() throws Exception {
    ChunkedEvents stream = ChunkedEvents.gated(List.of(
        sse("{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"logprobs\":null,\"finish_reason\":null}]}"),
        sse(chunk("Hel", null)),
        sse(chunk("lo", null)),
        sse(chunk("", "stop")),
        sse("{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2,\"total_tokens\":5}}"),
        "data: [DONE]\n\n"));
    MockWebServer vllm = harness.backend(streaming(SSE, stream));
    configure(openAi("vllm", vllm));

    try (Response response = harness.post("/api/chat", "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")) {
      assertThat(response.header("Content-Type")).startsWith(NDJSON);
      StreamEvents.Reader lines = new StreamEvents.Reader(response.body().source(), false);
      stream.release(0); // the role-only chunk carries nothing an Ollama client could use
      assertThat(content(lines.next())).isEqualTo("Hel");
      stream.release(1);
      assertThat(content(lines.next())).isEqualTo("lo");
      stream.release(2);
      stream.release(3);
      stream.release(4);
      JsonNode done = JSON.readTree(lines.next());
      assertThat(done.path("done").asBoolean()).isTrue();
      assertThat(done.path("done_reason").asText()).isEqualTo("stop");
      assertThat(done.path("eval_count").asInt()).isEqualTo(2);
      assertThat(lines.next()).isNull();
    }
    assertThat(vllm.takeRequest(5, TimeUnit.SECONDS).getUrl().encodedPath()).isEqualTo("/v1/chat/completions");
  }

  @Test
  void openAiClientReadsEachTokenOfAnOllamaBackendBeforeTheNextIsSent() throws Exception {
    ChunkedEvents stream = ChunkedEvents.gated(List.of(
        ollamaLine("Hel", false), ollamaLine("lo", false),
        "{\"model\":\"m\",\"created_at\":\"2026-11-22T10:00:00Z\",\"message\":{\"role\":\"assistant\",\"content\":\"\"},"
            + "\"done\":true,\"done_reason\":\"stop\",\"prompt_eval_count\":3,\"eval_count\":2}\n"));
    MockWebServer ollama = harness.backend(streaming(NDJSON, stream));
    configure(ollama("ollama", ollama));

    try (Response response = harness.post("/v1/chat/completions",
        "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")) {
      assertThat(response.header("Content-Type")).startsWith(SSE);
      StreamEvents.Reader events = new StreamEvents.Reader(response.body().source(), true);
      assertThat(deltaContentsUntilText(events)).isEqualTo("Hel");
      stream.release(0);
      assertThat(deltaContentsUntilText(events)).isEqualTo("lo");
      stream.release(1);
      List<String> rest = new ArrayList<>();
      for (String event; (event = events.next()) != null; ) rest.add(event);
      assertThat(rest).last().isEqualTo("[DONE]");
      assertThat(JSON.readTree(rest.get(rest.size() - 2)).path("choices").path(0).path("finish_reason").asText())
          .isEqualTo("stop");
    }
    assertThat(ollama.takeRequest(5, TimeUnit.SECONDS).getUrl().encodedPath()).isEqualTo("/api/chat");
  }

  @Test
  void totalDurationOfATranslatedStreamCoversTheWholeStream() throws Exception {
    ChunkedEvents stream = ChunkedEvents.gated(List.of(sse(chunk("Hel", null)), sse(chunk("", "stop")), "data: [DONE]\n\n"));
    MockWebServer vllm = harness.backend(streaming(SSE, stream));
    configure(openAi("vllm", vllm));

    try (Response response = harness.post("/api/chat", "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")) {
      StreamEvents.Reader lines = new StreamEvents.Reader(response.body().source(), false);
      assertThat(content(lines.next())).isEqualTo("Hel");
      Thread.sleep(300); // the backend holds its last events back this long
      stream.release(0);
      stream.release(1);
      JsonNode done = JSON.readTree(lines.next());
      assertThat(done.path("done").asBoolean()).isTrue();
      assertThat(done.path("total_duration").asLong()).isGreaterThanOrEqualTo(300_000_000L);
    }
  }

  @Test
  void inProcessStreamIsServedByAnOpenAiBackendThroughTranslation() throws Exception {
    MockWebServer vllm = harness.backend(new MockResponse.Builder().addHeader("Content-Type", SSE)
        .body(sse(chunk("Hel", null)) + sse(chunk("lo", null)) + sse(chunk("", "length")) + "data: [DONE]\n\n").build());
    configure(openAi("vllm", vllm));

    StringBuilder text = new StringBuilder();
    String doneReason = null;
    try (FlowStream<ChatResponse> stream = harness.cluster().chatStream(ChatRequest.of("m", "hi"))) {
      for (ChatResponse chunk : stream) {
        text.append(chunk.content());
        if (chunk.done()) doneReason = chunk.doneReason();
      }
    }
    assertThat(text.toString()).isEqualTo("Hello");
    assertThat(doneReason).isEqualTo("length");
    assertThat(vllm.takeRequest(5, TimeUnit.SECONDS).getUrl().encodedPath()).isEqualTo("/v1/chat/completions");
  }

  @Test
  void tokenCountsAnOpenAiBackendReportsAreRecordedForOllamaClientsWholeAndStreamed() throws Exception {
    harness.close();
    BlockingQueue<long[]> tokens = new LinkedBlockingQueue<>();
    harness = new ScenarioHarness().start(b -> b.disableActiveHealthChecks().eventListener(new FlowEventListener() {
      @Override
      public void requestFinished(RequestInfo r) {
        tokens.add(new long[] {r.inputTokens(), r.outputTokens()});
      }
    }));
    String usage = "\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2,\"total_tokens\":5}";
    MockWebServer vllm = harness.backend(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        boolean stream = request.getBody().utf8().contains("\"stream\":true");
        return stream
            ? new MockResponse.Builder().addHeader("Content-Type", SSE).body(sse(chunk("Hi", "stop"))
                + sse("{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[]," + usage + "}")
                + "data: [DONE]\n\n").build()
            : json(200, "{\"id\":\"c\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,"
                + "\"message\":{\"role\":\"assistant\",\"content\":\"Hi\"},\"finish_reason\":\"stop\"}]," + usage + "}");
      }
    });
    configure(openAi("vllm", vllm));

    for (String stream : List.of("false", "true")) {
      try (Response response = harness.post("/api/chat", "{\"model\":\"m\",\"stream\":" + stream
          + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")) {
        assertThat(response.code()).isEqualTo(200);
        assertThat(response.body().string()).contains("\"prompt_eval_count\":3").contains("\"eval_count\":2");
      }
      assertThat(tokens.poll(5, TimeUnit.SECONDS)).as("stream " + stream).containsExactly(3, 2);
    }
  }

  // ---- mixed frontends ----

  @Test
  void mixedFrontendAnswersInTheClientsDialectWhicheverBackendServes() throws Exception {
    MockWebServer ollama = harness.backend(json(200, ollamaChat("from ollama")));
    MockWebServer vllm = harness.backend(json(200, openAiChat("from vllm")));
    configure(ollama("ollama", ollama), openAi("vllm", vllm));

    List<String> contents = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      try (Response response = harness.post("/api/chat",
          "{\"model\":\"m\",\"stream\":false,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")) {
        assertThat(response.code()).isEqualTo(200);
        JsonNode answer = JSON.readTree(response.body().string());
        assertThat(answer.path("done").asBoolean()).isTrue();
        contents.add(answer.path("message").path("content").asText());
      }
    }
    assertThat(contents).containsExactly("from ollama", "from vllm", "from ollama", "from vllm");
    assertThat(ollama.takeRequest(5, TimeUnit.SECONDS).getUrl().encodedPath()).isEqualTo("/api/chat");
    assertThat(vllm.takeRequest(5, TimeUnit.SECONDS).getUrl().encodedPath()).isEqualTo("/v1/chat/completions");
  }

  @Test
  void requestOneDialectCannotExpressGoesOnlyToBackendsThatCan() throws Exception {
    MockWebServer ollama = harness.backend(json(200, ollamaChat("from ollama")));
    MockWebServer vllm = harness.backend(json(200, openAiChat("from vllm")));
    configure(ollama("ollama", ollama), openAi("vllm", vllm));

    for (int i = 0; i < 3; i++) {
      // n=2 has no Ollama equivalent: the OpenAI-format backend serves every time, untranslated.
      try (Response response = harness.post("/v1/chat/completions",
          "{\"model\":\"m\",\"n\":2,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")) {
        assertThat(response.code()).isEqualTo(200);
        assertThat(response.header("X-OllamaFlow-Backend")).isEqualTo("vllm");
      }
    }
    assertThat(ollama.getRequestCount()).isZero();
  }

  @Test
  void untranslatableRequestIsRefusedNamingTheFieldAndReachesNoBackend() throws Exception {
    MockWebServer ollama = harness.backend(json(200, ollamaChat("never")));
    configure(ollama("ollama", ollama));

    try (Response response = harness.post("/v1/chat/completions",
        "{\"model\":\"m\",\"n\":2,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")) {
      assertThat(response.code()).isEqualTo(400);
      JsonNode error = JSON.readTree(response.body().string()).path("error");
      assertThat(error.path("message").asText()).contains("n");
      assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
    }
    assertThat(ollama.getRequestCount()).isZero();
  }

  @Test
  void vendorExtensionsAreDroppedAndNamedInTheAnswerWhileNeutralAndMappedFieldsPass() throws Exception {
    MockWebServer ollama = harness.backend(json(200, ollamaChat("fine")));
    configure(ollama("ollama", ollama));

    try (Response response = harness.post("/v1/chat/completions", "{\"model\":\"m\","
        + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"best_of\":1,\"use_beam_search\":false,"
        + "\"logit_bias\":{},\"repetition_penalty\":1.1,\"guided_json\":{\"type\":\"object\"},"
        + "\"vendor_hint\":\"fast\",\"x_trace\":{\"id\":7}}")) {
      assertThat(response.code()).isEqualTo(200);
      assertThat(response.header("X-OllamaFlow-Dropped-Fields")).isEqualTo("vendor_hint, x_trace");
      assertThat(JSON.readTree(response.body().string()).path("choices").path(0).path("message").path("content").asText())
          .isEqualTo("fine");
    }
    JsonNode sent = JSON.readTree(ollama.takeRequest(5, TimeUnit.SECONDS).getBody().utf8());
    assertThat(sent.path("options").path("repeat_penalty").asDouble()).isEqualTo(1.1);
    assertThat(sent.path("format")).isEqualTo(JSON.readTree("{\"type\":\"object\"}"));
    assertThat(sent.has("vendor_hint")).isFalse();
    assertThat(sent.has("best_of")).isFalse();
  }

  // ---- pins in the backend's dialect ----

  @Test
  void frontendPinInOllamaDialectReachesRequestsOfOpenAiClients() throws Exception {
    MockWebServer ollama = harness.backend(json(200, ollamaChat("pinned")));
    configure(Frontend.builder("f1").pinnedCompletionsProperties(
        (ObjectNode) JSON.readTree("{\"options\":{\"num_ctx\":8192}}")),
        ollama("ollama", ollama));

    try (Response response = harness.post("/v1/chat/completions",
        "{\"model\":\"m\",\"temperature\":0.5,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")) {
      assertThat(response.code()).isEqualTo(200);
      assertThat(JSON.readTree(response.body().string()).path("choices").path(0).path("message").path("content").asText())
          .isEqualTo("pinned");
    }
    JsonNode sent = JSON.readTree(ollama.takeRequest(5, TimeUnit.SECONDS).getBody().utf8());
    assertThat(sent.path("options").path("num_ctx").asInt()).isEqualTo(8192);
    assertThat(sent.path("options").path("temperature").asDouble()).isEqualTo(0.5);
    assertThat(sent.path("stream").asBoolean(true)).isFalse();
  }

  // ---- errors ----

  @Test
  void chunkedBodyOverTheLimitIsRefusedWith413BeforeTranslation() throws Exception {
    MockWebServer ollama = harness.backend(json(200, ollamaChat("never")));
    configure(Frontend.builder("f1").maxRequestBodySize(1024), ollama("ollama", ollama));
    String body = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"" + "x".repeat(4096) + "\"}]}";
    RequestBody chunked = new RequestBody() {
      @Override public MediaType contentType() { return ScenarioHarness.JSON; }
      @Override public long contentLength() { return -1; }
      @Override public void writeTo(BufferedSink sink) throws IOException { sink.writeUtf8(body); }
    };

    try (Response response = harness.call(new Request.Builder().url(harness.url("/v1/chat/completions")).post(chunked))) {
      assertThat(response.code()).isEqualTo(413);
      assertThat(response.body().string()).contains("MaxRequestBodySize");
    }
    assertThat(ollama.getRequestCount()).isZero();
  }

  @Test
  void backendErrorBeforeTheAnswerKeepsItsStatusInTheClientsDialect() throws Exception {
    MockWebServer vllm = harness.backend(json(400,
        "{\"error\":{\"message\":\"temperature must be at most 2\",\"type\":\"BadRequestError\",\"param\":null,\"code\":400}}"));
    configure(openAi("vllm", vllm));

    try (Response response = harness.post("/api/chat", "{\"model\":\"m\",\"messages\":[]}")) {
      assertThat(response.code()).isEqualTo(400);
      assertThat(response.body().string()).isEqualTo("{\"error\":\"temperature must be at most 2\"}");
    }
  }

  @Test
  void missingModelOnTheBackendIsWordedAsTheClientsServerWordsIt() throws Exception {
    MockWebServer vllm = harness.backend(json(404,
        "{\"error\":{\"message\":\"The model `m` does not exist.\",\"type\":\"NotFoundError\",\"param\":\"model\",\"code\":404}}"));
    configure(openAi("vllm", vllm));

    try (Response response = harness.post("/api/generate", "{\"model\":\"m\",\"prompt\":\"hi\"}")) {
      assertThat(response.code()).isEqualTo(404);
      assertThat(response.body().string()).isEqualTo("{\"error\":\"model 'm' not found\"}");
    }
  }

  @Test
  void errorInsideAnOllamaStreamReachesOpenAiClientAsErrorEventThenDone() throws Exception {
    MockWebServer ollama = harness.backend(new MockResponse.Builder().addHeader("Content-Type", NDJSON)
        .body(ollamaLine("Hel", false) + "{\"error\":\"an error was encountered while running the model\"}\n").build());
    configure(ollama("ollama", ollama));

    try (Response response = harness.post("/v1/chat/completions",
        "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")) {
      List<String> events = events(response, true);
      assertThat(events).last().isEqualTo("[DONE]");
      JsonNode error = JSON.readTree(events.get(events.size() - 2)).path("error");
      assertThat(error.path("message").asText()).isEqualTo("an error was encountered while running the model");
      assertThat(String.join("\n", events)).contains("Hel");
    }
  }

  @Test
  void streamCutShortBeforeItsFinishEndsWithAnErrorLineNotAFakeDone() throws Exception {
    ChunkedEvents stream = ChunkedEvents.dyingAfter(List.of(sse(chunk("Hel", null))));
    MockWebServer vllm = harness.backend(new MockResponse.Builder().addHeader("Content-Type", SSE)
        .addHeader("Transfer-Encoding", "chunked").body(stream).onResponseEnd(new SocketEffect.CloseSocket()).build());
    configure(openAi("vllm", vllm));

    try (Response response = harness.post("/api/chat", "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")) {
      List<String> lines = events(response, false);
      assertThat(content(lines.get(0))).isEqualTo("Hel");
      assertThat(JSON.readTree(lines.get(lines.size() - 1)).path("error").asText()).isNotEmpty();
      assertThat(lines).noneMatch(line -> line.contains("\"done\":true"));
    }
  }

  @Test
  void translatedRequestIsRetriedOnAnotherBackendAfterBusy() throws Exception {
    MockWebServer busy = harness.backend(json(503, "{\"error\":{\"message\":\"busy\"}}"));
    MockWebServer vllm = harness.backend(json(200, openAiChat("second")));
    configure(openAi("busy", busy), openAi("vllm", vllm));

    try (Response response = harness.post("/api/chat",
        "{\"model\":\"m\",\"stream\":false,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")) {
      assertThat(response.code()).isEqualTo(200);
      assertThat(JSON.readTree(response.body().string()).path("message").path("content").asText()).isEqualTo("second");
    }
    assertThat(busy.getRequestCount()).isEqualTo(1);
  }

  // ---- listings ----

  @Test
  void listingsUniteModelsOfBothDialects() throws Exception {
    MockWebServer ollama = harness.backend(dispatcher(Map.of(
        "/api/tags", "{\"models\":[{\"name\":\"llama3:latest\",\"model\":\"llama3:latest\",\"modified_at\":\"2026-01-01T00:00:00Z\",\"size\":1,\"digest\":\"abc\",\"details\":{}}]}")));
    MockWebServer vllm = harness.backend(dispatcher(Map.of(
        "/v1/models", "{\"object\":\"list\",\"data\":[{\"id\":\"Qwen/Qwen3-8B\",\"object\":\"model\",\"created\":1767225600,\"owned_by\":\"vllm\"}]}")));
    configure(ollama("ollama", ollama), openAi("vllm", vllm));

    try (Response response = harness.get("/api/tags")) {
      JsonNode models = JSON.readTree(response.body().string()).path("models");
      assertThat(models.findValuesAsText("name")).containsExactly("llama3:latest", "Qwen/Qwen3-8B");
    }
    try (Response response = harness.get("/v1/models")) {
      JsonNode data = JSON.readTree(response.body().string()).path("data");
      assertThat(data.findValuesAsText("id")).containsExactly("llama3:latest", "Qwen/Qwen3-8B");
    }
  }

  // ---- helpers ----

  private void configure(Backend... backends) {
    configure(Frontend.builder("f1"), backends);
  }

  private void configure(Frontend.Builder frontend, Backend... backends) {
    harness.configure(frontend, backends);
  }

  private static Backend ollama(String id, MockWebServer server) {
    return backendFor(id, server).build();
  }

  private static Backend openAi(String id, MockWebServer server) {
    return backendFor(id, server).apiFormat(ApiFormat.OPENAI).build();
  }

  private static MockResponse json(int code, String body) {
    return new MockResponse.Builder().code(code).addHeader("Content-Type", "application/json").body(body).build();
  }

  private static MockResponse streaming(String contentType, ChunkedEvents body) {
    return new MockResponse.Builder().addHeader("Content-Type", contentType).addHeader("Transfer-Encoding", "chunked")
        .body(body).build();
  }

  private static Dispatcher dispatcher(Map<String, String> bodies) {
    return new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        String body = bodies.get(request.getUrl().encodedPath());
        return body == null ? json(404, "{\"error\":\"not here\"}") : json(200, body);
      }
    };
  }

  private static String sse(String json) {
    return "data: " + json + "\n\n";
  }

  private static String chunk(String content, String finishReason) {
    return "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,"
        + "\"delta\":{\"content\":\"" + content + "\"},\"logprobs\":null,\"finish_reason\":"
        + (finishReason == null ? "null" : "\"" + finishReason + "\"") + "}]}";
  }

  private static String ollamaLine(String content, boolean done) {
    return "{\"model\":\"m\",\"created_at\":\"2026-11-22T10:00:00Z\",\"message\":{\"role\":\"assistant\",\"content\":\""
        + content + "\"},\"done\":" + done + "}\n";
  }

  private static String ollamaChat(String content) {
    return "{\"model\":\"m\",\"created_at\":\"2026-11-22T10:00:00Z\",\"message\":{\"role\":\"assistant\",\"content\":\""
        + content + "\"},\"done\":true,\"done_reason\":\"stop\",\"total_duration\":5,\"prompt_eval_count\":3,\"eval_count\":2}";
  }

  private static String openAiChat(String content) {
    return "{\"id\":\"chatcmpl-9\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,"
        + "\"message\":{\"role\":\"assistant\",\"content\":\"" + content + "\",\"tool_calls\":[]},\"logprobs\":null,"
        + "\"finish_reason\":\"stop\",\"stop_reason\":null}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2,\"total_tokens\":5}}";
  }

  private static String content(String ndjsonLine) throws Exception {
    return JSON.readTree(ndjsonLine).path("message").path("content").asText();
  }

  /** Reads SSE chunks until one carries content, and returns it. */
  private static String deltaContentsUntilText(StreamEvents.Reader events) throws Exception {
    for (String event; (event = events.next()) != null; ) {
      String content = JSON.readTree(event).path("choices").path(0).path("delta").path("content").asText("");
      if (!content.isEmpty()) return content;
    }
    return null;
  }

  private static List<String> events(Response response, boolean sse) throws Exception {
    StreamEvents.Reader reader = new StreamEvents.Reader(response.body().source(), sse);
    List<String> events = new ArrayList<>();
    for (String event; (event = reader.next()) != null; ) events.add(event);
    return events;
  }
}
