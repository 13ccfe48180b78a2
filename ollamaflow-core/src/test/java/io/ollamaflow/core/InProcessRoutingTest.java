package io.ollamaflow.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ollamaflow.api.Backend;
import io.ollamaflow.api.ErrorCode;
import io.ollamaflow.api.FlowEventListener;
import io.ollamaflow.api.FlowException;
import io.ollamaflow.api.Frontend;
import io.ollamaflow.api.RequestInfo;
import io.ollamaflow.core.inprocess.ChatRequest;
import io.ollamaflow.core.inprocess.ChatResponse;
import io.ollamaflow.core.inprocess.EmbedRequest;
import io.ollamaflow.core.inprocess.EmbedResponse;
import io.ollamaflow.core.inprocess.FlowStream;
import io.ollamaflow.core.inprocess.GenerateRequest;
import io.ollamaflow.core.inprocess.GenerateResponse;
import io.ollamaflow.core.inprocess.ModelInfo;
import io.ollamaflow.core.testing.Eventually;
import io.ollamaflow.core.testing.FakeOllama;
import io.ollamaflow.core.testing.ScenarioHarness;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The in-process API (issue 7) goes through the same pipeline as HTTP requests: model-aware
 * selection, retries before the first byte, pinned properties, frontend choice by host, the
 * proxy's errors and the listener's events.
 */
class InProcessRoutingTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration FAST = Duration.ofMillis(50);
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final String NDJSON_CHAT = "{\"model\":\"m\",\"message\":{\"role\":\"assistant\",\"content\":\"Hel\"},\"done\":false}\n"
      + "{\"model\":\"m\",\"message\":{\"role\":\"assistant\",\"content\":\"lo\"},\"done\":false}\n"
      + "{\"model\":\"m\",\"message\":{\"role\":\"assistant\",\"content\":\"\"},\"done\":true,\"done_reason\":\"stop\",\"eval_count\":2}\n";

  private final ScenarioHarness harness = new ScenarioHarness();

  @AfterEach
  void close() {
    harness.close();
  }

  /** The client's signatures are checked with the rest of the public API by {@code PublicApiBoundaryTest}. */
  @Test
  void theClusterHandsOutClientsForAHostOrTheCatchAllFrontend() throws Exception {
    harness.start(b -> b.healthCheckInterval(FAST));
    assertThat(harness.cluster().inProcess("chat.example").host()).isEqualTo("chat.example");
    assertThat(harness.cluster().inProcess(null).host()).isNull();
  }

  @Test
  void chatGoesOnlyToTheBackendThatHoldsTheModel() throws Exception {
    harness.start(b -> b.healthCheckInterval(FAST).modelRefreshInterval(FAST));
    FakeOllama a = new FakeOllama("a", "m1");
    FakeOllama b = new FakeOllama("b", "m2");
    harness.configure(Frontend.builder("f1"), ScenarioHarness.backendFor("a", harness.backend(a)).build(),
        ScenarioHarness.backendFor("b", harness.backend(b)).build());
    awaitListed(a, b);

    for (int i = 0; i < 4; i++) {
      ChatResponse answer = harness.cluster().chat(ChatRequest.of("m2", "hi"));
      assertThat(answer.backendId()).isEqualTo("b");
      assertThat(answer.raw().path("backend").asText()).isEqualTo("b");
    }
    assertThat(a.requests).noneMatch(r -> r.startsWith("POST"));
    assertThat(harness.cluster().models()).extracting(ModelInfo::name)
        .containsExactlyInAnyOrder("m1:latest", "m2:latest");
  }

  @Test
  void aModelNoBackendHoldsIsModelNotFoundWithOllamasMessage() throws Exception {
    harness.start(b -> b.healthCheckInterval(FAST).modelRefreshInterval(FAST));
    FakeOllama a = new FakeOllama("a", "m1");
    harness.configure(Frontend.builder("f1"), ScenarioHarness.backendFor("a", harness.backend(a)).build());
    awaitListed(a);

    assertThatThrownBy(() -> harness.cluster().chat(ChatRequest.of("nope", "hi")))
        .isInstanceOfSatisfying(FlowException.class, e -> {
          assertThat(e.code()).isEqualTo(ErrorCode.MODEL_NOT_FOUND);
          assertThat(e.getMessage()).isEqualTo("model 'nope' not found");
        });
  }

  @Test
  void aStreamIsRetriedOnAnotherBackendWhenTheFirstAnswers500BeforeAnyToken() throws Exception {
    harness.start(b -> b.disableActiveHealthChecks());
    MockWebServer failing = harness.backend(new MockResponse.Builder().code(500)
        .addHeader("Content-Type", "application/json").body("{\"error\":\"out of memory\"}").build());
    MockWebServer good = harness.backend(new MockResponse.Builder()
        .addHeader("Content-Type", "application/x-ndjson").body(NDJSON_CHAT).build());
    harness.configure(Frontend.builder("f1"), ScenarioHarness.backendFor("bad", failing).build(),
        ScenarioHarness.backendFor("good", good).build());

    StringBuilder text = new StringBuilder();
    List<ChatResponse> chunks = new ArrayList<>();
    try (FlowStream<ChatResponse> stream = harness.cluster().chatStream(ChatRequest.of("m", "hi"))) {
      assertThat(stream.backendId()).isEqualTo("good");
      for (ChatResponse chunk : stream) {
        chunks.add(chunk);
        text.append(chunk.content());
      }
    }
    assertThat(text.toString()).isEqualTo("Hello");
    assertThat(chunks).hasSize(3);
    assertThat(chunks.get(2).done()).isTrue();
    assertThat(chunks.get(2).doneReason()).isEqualTo("stop");
    assertThat(chunks.get(2).evalCount()).isEqualTo(2);
    assertThat(failing.getRequestCount()).isEqualTo(1);
    JsonNode sent = JSON.readTree(good.takeRequest().getBody().utf8());
    assertThat(sent.path("stream").asBoolean()).isTrue();
    assertThat(sent.path("messages").get(0).path("content").asText()).isEqualTo("hi");
  }

  @Test
  void withoutRetriesTheBackendsErrorSurfacesWithItsMessage() throws Exception {
    harness.start(b -> b.disableActiveHealthChecks());
    MockWebServer failing = harness.backend(new MockResponse.Builder().code(500)
        .addHeader("Content-Type", "application/json").body("{\"error\":\"out of memory\"}").build());
    harness.configure(Frontend.builder("f1").allowRetries(false), ScenarioHarness.backendFor("bad", failing).build());

    assertThatThrownBy(() -> harness.cluster().generate(GenerateRequest.of("m", "hi")))
        .isInstanceOfSatisfying(FlowException.class, e -> {
          assertThat(e.code()).isEqualTo(ErrorCode.BACKEND_ERROR);
          assertThat(e.getMessage()).isEqualTo("out of memory");
        });
  }

  @Test
  void pinnedPropertiesAreMergedOverTheTypedFieldsAndTheExtraJson() throws Exception {
    harness.start(b -> b.disableActiveHealthChecks());
    MockWebServer backend = harness.backend("{\"model\":\"m\",\"response\":\"ok\",\"done\":true}");
    ObjectNode pins = JSON.createObjectNode();
    pins.putObject("options").put("temperature", 0).put("num_ctx", 4096);
    harness.configure(Frontend.builder("f1").pinnedCompletionsProperties(pins),
        ScenarioHarness.backendFor("b1", backend).build());

    ObjectNode extra = JSON.createObjectNode();
    extra.put("format", "json");
    extra.putObject("options").put("seed", 7);
    GenerateResponse answer = harness.cluster().generate(GenerateRequest.builder("m").prompt("hi").system("terse")
        .option("temperature", 0.9).option("top_k", 20).keepAlive(Duration.ofMinutes(1)).extra(extra).build());

    assertThat(answer.response()).isEqualTo("ok");
    assertThat(answer.backendId()).isEqualTo("b1");
    JsonNode sent = JSON.readTree(backend.takeRequest().getBody().utf8());
    assertThat(sent.path("prompt").asText()).isEqualTo("hi");
    assertThat(sent.path("system").asText()).isEqualTo("terse");
    assertThat(sent.path("format").asText()).isEqualTo("json");
    assertThat(sent.path("keep_alive").asText()).isEqualTo("60000ms");
    assertThat(sent.path("stream").asBoolean(true)).isFalse();
    JsonNode options = sent.path("options");
    assertThat(options.path("temperature").asInt()).as("the frontend's pin wins").isEqualTo(0);
    assertThat(options.path("num_ctx").asInt()).isEqualTo(4096);
    assertThat(options.path("top_k").asInt()).isEqualTo(20);
    assertThat(options.path("seed").asInt()).isEqualTo(7);
  }

  @Test
  void theHostChoosesTheFrontendAndHeadersReachTheBackend() throws Exception {
    harness.start(b -> b.disableActiveHealthChecks());
    MockWebServer general = harness.backend("{\"model\":\"m\",\"embeddings\":[[0.0]]}");
    MockWebServer search = harness.backend("{\"model\":\"m\",\"embeddings\":[[0.5,1.5],[2.5,3.5]]}");
    harness.store.putBackend(ScenarioHarness.backendFor("general", general).build());
    harness.store.putBackend(ScenarioHarness.backendFor("search", search).build());
    harness.store.putFrontend(Frontend.builder("all").backends(List.of("general")).build());
    harness.store.putFrontend(Frontend.builder("search").hostname("search.internal").backends(List.of("search")).build());
    harness.cluster().reload();

    EmbedResponse answer = harness.cluster().inProcess("search.internal")
        .embed(EmbedRequest.builder("m").input("a").input("b").header("X-Team", "retrieval").build());

    assertThat(answer.backendId()).isEqualTo("search");
    assertThat(answer.embeddings()).hasSize(2);
    assertThat(answer.embeddings().get(1)).containsExactly(2.5f, 3.5f);
    RecordedRequest sent = search.takeRequest();
    assertThat(sent.getHeaders().get("X-Team")).isEqualTo("retrieval");
    assertThat(sent.getHeaders().get("X-Forwarded-Host")).isEqualTo("search.internal");
    JsonNode body = JSON.readTree(sent.getBody().utf8());
    assertThat(body.path("input")).hasSize(2);
    assertThat(body.has("stream")).isFalse();
    assertThat(harness.cluster().embed(EmbedRequest.of("m", "x")).backendId()).isEqualTo("general");
  }

  @Test
  void aRefusedRequestIsAFlowExceptionWithTheProxysCode() throws Exception {
    harness.start(b -> b.disableActiveHealthChecks());
    MockWebServer backend = harness.backend("{}");
    harness.configure(Frontend.builder("f1").allowEmbeddings(false), ScenarioHarness.backendFor("b1", backend).build());

    assertThatThrownBy(() -> harness.cluster().embed(EmbedRequest.of("m", "x")))
        .isInstanceOfSatisfying(FlowException.class, e -> {
          assertThat(e.code()).isEqualTo(ErrorCode.FORBIDDEN);
          assertThat(e.getMessage()).isEqualTo("frontend 'f1' does not allow embeddings requests");
        });
    assertThat(backend.getRequestCount()).isZero();
  }

  /** Codes the proxy chose, carried as data: no status or wording could tell these apart. */
  @Test
  void refusalsKeepTheCodeTheProxyChoseWhateverTheirStatusShares() throws Exception {
    harness.start(b -> b.disableActiveHealthChecks());
    MockWebServer backend = harness.backend("{}");
    harness.configure(Frontend.builder("f1").hostname("known.example").active(false),
        ScenarioHarness.backendFor("b1", backend).build());

    assertThatThrownBy(() -> harness.cluster().inProcess("known.example").chat(ChatRequest.of("m", "hi")))
        .isInstanceOfSatisfying(FlowException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.FRONTEND_INACTIVE));
    assertThatThrownBy(() -> harness.cluster().inProcess("other.example").chat(ChatRequest.of("m", "hi")))
        .isInstanceOfSatisfying(FlowException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NO_FRONTEND));
    assertThatThrownBy(() -> harness.cluster().inProcess("known.example").models())
        .isInstanceOfSatisfying(FlowException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.FRONTEND_INACTIVE));
    assertThat(backend.getRequestCount()).isZero();
  }

  @Test
  void inProcessRequestsProduceTheListenersEvents() throws Exception {
    List<String> events = new CopyOnWriteArrayList<>();
    FlowEventListener listener = new FlowEventListener() {
      @Override public void requestStarted(RequestInfo r) { events.add("started " + r.method() + " " + r.path()); }
      @Override public void backendSelected(RequestInfo r, String reason) { events.add("selected " + r.backendId() + " by " + reason); }
      @Override public void firstByte(RequestInfo r) { events.add("firstByte " + r.status()); }
      @Override public void requestFinished(RequestInfo r) { events.add("finished " + r.model() + " " + r.status()); }
      @Override public void requestFailed(RequestInfo r, FlowException f) { events.add("failed " + f.httpStatus()); }
    };
    harness.start(b -> b.disableActiveHealthChecks().eventListener(listener));
    MockWebServer backend = harness.backend("{\"model\":\"m\",\"message\":{\"role\":\"assistant\",\"content\":\"x\"},\"done\":true}");
    harness.configure(Frontend.builder("f1"), ScenarioHarness.backendFor("b1", backend).build());

    assertThat(harness.cluster().chat(ChatRequest.of("m", "hi")).content()).isEqualTo("x");
    Eventually.until(WAIT, "the request finished", () -> events.size() == 4);
    assertThat(events).containsExactly("started POST /api/chat", "selected b1 by round-robin", "firstByte 200",
        "finished m 200");
  }

  @Test
  void requestsCanBeBuiltWithoutKnowingTheWireFormat() {
    ChatRequest chat = ChatRequest.builder("m").system("s").user("u").assistant("a").build();
    assertThat(chat.messages()).extracting(m -> m.role()).containsExactly("system", "user", "assistant");
    assertThatThrownBy(() -> ChatRequest.builder("m").build()).hasMessageContaining("messages: empty");
    assertThatThrownBy(() -> EmbedRequest.builder("m").build()).hasMessageContaining("inputs: empty");
    assertThatThrownBy(() -> GenerateRequest.builder("m").header("Host", "x"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("inProcess(host)");
  }

  private static void awaitListed(FakeOllama... backends) throws Exception {
    for (FakeOllama backend : backends) {
      Eventually.until(WAIT, "models were listed twice", () ->
          backend.requests.stream().filter(r -> r.equals("GET /api/tags")).count() >= 2);
    }
    TimeUnit.MILLISECONDS.sleep(20);
  }
}
