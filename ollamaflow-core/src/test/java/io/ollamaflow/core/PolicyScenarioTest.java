package io.ollamaflow.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ollamaflow.api.Backend;
import io.ollamaflow.api.BackendView;
import io.ollamaflow.api.FlowEventListener;
import io.ollamaflow.api.Frontend;
import io.ollamaflow.api.HealthState;
import io.ollamaflow.api.HealthStatus;
import io.ollamaflow.api.RequestInfo;
import io.ollamaflow.core.testing.Chunks;
import io.ollamaflow.core.testing.Eventually;
import io.ollamaflow.core.testing.ManualClock;
import io.ollamaflow.core.testing.ScenarioHarness;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockResponseBody;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSink;
import okio.BufferedSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Routing policies end to end, through real sockets: sticky sessions, label filters, pinned
 * properties, Allow* flags, draining, least-requests, and health events. Backends answer with
 * their own name ({@code {"from":"b1"}}) so a test can tell who served a request.
 *
 * <p>Sticky-session expiry runs on the cluster's clock, which the expiry test moves by hand.
 */
class PolicyScenarioTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String LABEL = "X-OllamaFlow-Label";
  private static final String CHAT = "{\"model\":\"m\",\"messages\":[]}";
  private static final String EMBED = "{\"model\":\"e\",\"input\":\"hi\"}";

  private final ScenarioHarness harness = new ScenarioHarness();

  @AfterEach
  void close() {
    harness.close();
  }

  // ---- sticky sessions ----

  @Test
  void sameConversationIdAlwaysReachesTheSameBackendWhileFreshIdsRotate() throws Exception {
    startStickyOverThree(true);
    String bound = null;
    Set<String> freshIdServers = new LinkedHashSet<>();
    for (int i = 0; i < 10; i++) {
      String server = chat(Map.of("x-conversation-id", "conv-A"));
      if (bound == null) bound = server;
      assertThat(server).as("request %d of conv-A", i).isEqualTo(bound);
      // A new id has no session, so the round-robin choice shows through: it would rotate.
      freshIdServers.add(chat(Map.of("x-conversation-id", "fresh-" + i)));
    }
    assertThat(freshIdServers).containsExactlyInAnyOrder("b1", "b2", "b3");
  }

  @Test
  void aSessionExpiresOnTheClustersClockAndTheNextRequestIsRoutedAfresh() throws Exception {
    ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
    harness.start(b -> b.disableActiveHealthChecks().clock(clock));
    harness.configure(Frontend.builder("f1").useStickySessions(true).stickySessionExpirationMs(60_000),
        named("b1").build(), named("b2").build(), named("b3").build());
    Map<String, String> conv = Map.of("x-conversation-id", "conv-expiring");
    String bound = chat(conv);
    assertThat(harness.cluster().admin().sessions()).hasSize(1);

    clock.advance(Duration.ofSeconds(59));
    assertThat(chat(conv)).as("59 s later, within the expiration").isEqualTo(bound);
    clock.advance(Duration.ofSeconds(59));
    assertThat(chat(conv)).as("each use renews the session").isEqualTo(bound);

    clock.advance(Duration.ofSeconds(61));
    assertThat(harness.cluster().admin().sessions()).as("expired sessions are not listed").isEmpty();
    // Round-robin has served b-next twice since the binding: the expired session no longer decides.
    Set<String> afterExpiry = new LinkedHashSet<>();
    for (int i = 0; i < 3; i++) {
      afterExpiry.add(chat(conv));
      clock.advance(Duration.ofSeconds(61));
    }
    assertThat(afterExpiry).as("every request after an expiry is routed afresh").hasSizeGreaterThan(1);
  }

  @Test
  void emptyConversationIdFallsBackToTheThreadIdHeader() throws Exception {
    startStickyOverThree(true);
    // Fresh round-robin: the first pick is b1, the second b2.
    String threadBackend = chat(Map.of("x-conversation-id", "", "x-thread-id", "thread-T"));
    assertThat(threadBackend).isEqualTo("b1");
    for (int i = 0; i < 4; i++) {
      assertThat(chat(Map.of("x-thread-id", "thread-T"))).isEqualTo(threadBackend);
      assertThat(chat(Map.of("x-conversation-id", "", "x-thread-id", "thread-T"))).isEqualTo(threadBackend);
    }
    // Both non-empty: the conversation id comes first in the list and keys its own session.
    String convBackend = chat(Map.of("x-conversation-id", "conv-C", "x-thread-id", "thread-T"));
    assertThat(convBackend).isEqualTo("b2");
    assertThat(chat(Map.of("x-conversation-id", "conv-C", "x-thread-id", "thread-T"))).isEqualTo("b2");
    assertThat(chat(Map.of("x-thread-id", "thread-T"))).isEqualTo(threadBackend);
  }

  @Test
  void withoutAStickyHeaderTheClientAddressKeysTheSession() throws Exception {
    startStickyOverThree(true);
    String first = chat(Map.of());
    for (int i = 0; i < 9; i++) assertThat(chat(Map.of())).as("request %d", i + 2).isEqualTo(first);
    // A request that carries a conversation id is keyed by it, not by the address...
    assertThat(chat(Map.of("x-conversation-id", "someone-else"))).isNotEqualTo(first);
    // ...and leaves the address's session alone.
    for (int i = 0; i < 3; i++) assertThat(chat(Map.of())).isEqualTo(first);
  }

  @Test
  void threeConversationsOverThreeBackendsInRoundRobinLandOnThreeDifferentBackends() throws Exception {
    startStickyOverThree(true);
    List<String> ids = List.of("conv-1", "conv-2", "conv-3");
    List<String> firstServers = new ArrayList<>();
    for (String id : ids) firstServers.add(chat(Map.of("x-conversation-id", id)));
    assertThat(firstServers).doesNotHaveDuplicates().containsExactlyInAnyOrder("b1", "b2", "b3");
    for (int round = 0; round < 3; round++) {
      for (int i = 0; i < ids.size(); i++) {
        assertThat(chat(Map.of("x-conversation-id", ids.get(i)))).isEqualTo(firstServers.get(i));
      }
    }
  }

  @Test
  void sessionMovesWhenItsBackendBecomesInactiveAndThenSticksToTheNewOne() throws Exception {
    startStickyOverThree(true);
    Map<String, String> conv = Map.of("x-conversation-id", "conv-move");
    String original = chat(conv);
    assertThat(chat(conv)).isEqualTo(original);

    setActive(original, false);
    String moved = chat(conv);
    assertThat(moved).isNotEqualTo(original);
    for (int i = 0; i < 5; i++) assertThat(chat(conv)).isEqualTo(moved);

    // The session now belongs to the new backend: the old one coming back does not pull it back.
    setActive(original, true);
    for (int i = 0; i < 3; i++) assertThat(chat(conv)).isEqualTo(moved);
  }

  @Test
  void sessionMovesWhenItsBackendIsDeletedAndThenSticksToTheNewOne() throws Exception {
    startStickyOverThree(true);
    Map<String, String> conv = Map.of("x-conversation-id", "conv-delete");
    String original = chat(conv);
    assertThat(chat(conv)).isEqualTo(original);

    harness.store.removeBackend(original);
    Frontend f1 = harness.store.frontend("f1").orElseThrow();
    List<String> remaining = new ArrayList<>(f1.backends());
    remaining.remove(original);
    harness.store.putFrontend(f1.toBuilder().backends(remaining).build());
    harness.cluster().reload();

    String moved = chat(conv);
    assertThat(moved).isNotEqualTo(original).isIn(remaining);
    for (int i = 0; i < 5; i++) assertThat(chat(conv)).isEqualTo(moved);
  }

  @Test
  void withStickinessOffTheSameConversationIdRotatesInRoundRobin() throws Exception {
    startStickyOverThree(false);
    List<String> servers = new ArrayList<>();
    for (int i = 0; i < 6; i++) servers.add(chat(Map.of("x-conversation-id", "conv-A")));
    assertThat(servers).containsExactly("b1", "b2", "b3", "b1", "b2", "b3");
  }

  // ---- labels ----

  @Test
  void labelHeaderRestrictsToBackendsCarryingEveryLabelIgnoringCase() throws Exception {
    harness.start(b -> b.disableActiveHealthChecks());
    harness.configure(Frontend.builder("f1"),
        named("eu-gpu").labels(List.of("eu", "gpu")).build(),
        named("us").labels(List.of("us")).build(),
        named("EU-only").labels(List.of("EU")).build());

    assertThat(servers(6, Map.of(LABEL, "eu"))).containsExactlyInAnyOrder("eu-gpu", "EU-only");
    assertThat(servers(6, Map.of(LABEL, "Eu"))).containsExactlyInAnyOrder("eu-gpu", "EU-only");
    assertThat(servers(4, Map.of(LABEL, "eu,gpu"))).containsExactly("eu-gpu");
    assertThat(servers(4, Map.of(LABEL, " EU , Gpu "))).containsExactly("eu-gpu");
    assertThat(servers(4, Map.of(LABEL, "us"))).containsExactly("us");
    // Blank header: no filter at all.
    assertThat(servers(6, Map.of(LABEL, " "))).containsExactlyInAnyOrder("eu-gpu", "us", "EU-only");
  }

  @Test
  void labelsMatchExactlyNotAsSubstrings() throws Exception {
    harness.start(b -> b.disableActiveHealthChecks());
    harness.configure(Frontend.builder("f1"),
        named("neu").labels(List.of("neu-1")).build(),
        named("europe").labels(List.of("europe")).build(),
        named("eu").labels(List.of("eu")).build());

    assertThat(servers(9, Map.of(LABEL, "eu"))).containsExactly("eu");
    assertThat(servers(3, Map.of(LABEL, "neu-1"))).containsExactly("neu");
  }

  @Test
  void noBackendCarryingTheLabelsGets503NamingThemWithRetryAfter() throws Exception {
    harness.start(b -> b.disableActiveHealthChecks());
    MockWebServer neu = harness.backend(answer("neu"));
    MockWebServer us = harness.backend(answer("us"));
    harness.configure(Frontend.builder("f1"),
        ScenarioHarness.backendFor("neu", neu).labels(List.of("neu-1", "europe")).build(),
        ScenarioHarness.backendFor("us", us).labels(List.of("us")).build());

    try (Response r = post("/api/chat", CHAT, Map.of(LABEL, "eu"))) {
      assertThat(r.code()).isEqualTo(503);
      assertThat(r.header("Retry-After")).isEqualTo("1");
      assertThat(r.body().string()).isEqualTo("{\"error\":\"no active backend of frontend 'f1' carries all of the labels [eu]\"}");
    }
    // Each label exists somewhere, but no single backend carries both.
    try (Response r = post("/api/chat", CHAT, Map.of(LABEL, "us, europe"))) {
      assertThat(r.code()).isEqualTo(503);
      assertThat(r.header("Retry-After")).isEqualTo("1");
      assertThat(r.body().string()).contains("carries all of the labels [us, europe]");
    }
    assertThat(neu.getRequestCount() + us.getRequestCount()).isZero();
  }

  @Test
  void repeatedLabelHeaderLinesCountAsOneCommaSeparatedList() throws Exception {
    harness.start(b -> b.disableActiveHealthChecks());
    harness.configure(Frontend.builder("f1"),
        named("eu").labels(List.of("eu")).build(),
        named("eu-gpu").labels(List.of("eu", "gpu")).build());

    Set<String> servers = new HashSet<>();
    for (int i = 0; i < 4; i++) {
      servers.add(served(harness.call(new Request.Builder().url(harness.url("/api/chat"))
          .post(RequestBody.create(CHAT, ScenarioHarness.JSON))
          .addHeader(LABEL, "eu")
          .addHeader(LABEL, "gpu"))));
    }
    // Two header lines "X-OllamaFlow-Label: eu" and "X-OllamaFlow-Label: gpu" mean the same as
    // "eu, gpu" (RFC 9110 section 5.3), so only "eu-gpu" may serve.
    assertThat(servers).containsExactly("eu-gpu");
  }

  @Test
  void labelsApplyToStickyHitsSoALabelledRequestLeavesABackendWithoutTheLabel() throws Exception {
    harness.start(b -> b.disableActiveHealthChecks());
    // "us" first, so the conversation's first (unlabelled) request lands there under round-robin.
    harness.configure(Frontend.builder("f1").useStickySessions(true),
        named("us").labels(List.of("us")).build(),
        named("eu").labels(List.of("eu")).build());
    Map<String, String> conv = Map.of("x-conversation-id", "conv-L");
    assertThat(chat(conv)).isEqualTo("us");
    assertThat(chat(conv)).isEqualTo("us");

    Map<String, String> convInEu = Map.of("x-conversation-id", "conv-L", LABEL, "eu");
    for (int i = 0; i < 3; i++) assertThat(chat(convInEu)).isEqualTo("eu");
    // The conversation was rebound to the backend that served it.
    assertThat(chat(conv)).isEqualTo("eu");
  }

  // ---- pinned properties ----

  @Test
  void completionPinsMergeIntoTheClientsOptionsAndBackendPinsBeatFrontendPins() throws Exception {
    harness.start(b -> b.disableActiveHealthChecks());
    MockWebServer backend = harness.backend(answer("b1"));
    harness.configure(Frontend.builder("f1").pinnedCompletionsProperties(json("{\"options\":{\"num_ctx\":4096,\"temperature\":0.7}}")),
        ScenarioHarness.backendFor("b1", backend).pinnedCompletionsProperties(json("{\"options\":{\"temperature\":0}}")).build());

    try (Response r = harness.post("/api/chat", "{\"model\":\"m\",\"options\":{\"top_k\":5,\"temperature\":0.9},\"messages\":[]}")) {
      assertThat(r.code()).isEqualTo(200);
    }
    // request < frontend < backend; existing keys keep their place, new ones are appended.
    assertThat(received(backend)).isEqualTo(
        "{\"model\":\"m\",\"options\":{\"top_k\":5,\"temperature\":0,\"num_ctx\":4096},\"messages\":[]}");

    // The OpenAI route of the same kind is translated to the backend's native API, then pinned the
    // same way: a client without options gets the pinned object.
    try (Response r = harness.post("/v1/chat/completions", "{\"model\":\"m\",\"messages\":[]}")) {
      assertThat(r.code()).isEqualTo(200);
    }
    assertThat(JSON.readTree(received(backend)).path("options"))
        .isEqualTo(JSON.readTree("{\"num_ctx\":4096,\"temperature\":0}"));
  }

  @Test
  void completionPinsLeaveEmbeddingsUntouchedAndEmbeddingPinsLeaveChatUntouched() throws Exception {
    harness.start(b -> b.disableActiveHealthChecks());
    MockWebServer backend = harness.backend(answer("b1"));
    harness.configure(Frontend.builder("f1")
            .pinnedCompletionsProperties(json("{\"options\":{\"num_ctx\":4096}}"))
            .pinnedEmbeddingsProperties(json("{\"truncate\":false}")),
        ScenarioHarness.backendFor("b1", backend).build());

    postOk("/api/embed", EMBED);
    assertThat(received(backend)).isEqualTo("{\"model\":\"e\",\"input\":\"hi\",\"truncate\":false}");
    postOk("/v1/embeddings", EMBED);
    assertThat(received(backend)).isEqualTo("{\"model\":\"e\",\"input\":\"hi\",\"truncate\":false}");
    postOk("/api/chat", CHAT);
    assertThat(received(backend)).isEqualTo("{\"model\":\"m\",\"messages\":[],\"options\":{\"num_ctx\":4096}}");
  }

  @Test
  void completionPinsAloneDoNotTouchAnEmbedBodyAndEmbeddingPinsAloneDoNotTouchAChatBody() throws Exception {
    harness.start(b -> b.disableActiveHealthChecks());
    MockWebServer completionPinned = harness.backend(answer("c"));
    MockWebServer embeddingPinned = harness.backend(answer("e"));
    harness.store.putBackend(ScenarioHarness.backendFor("c", completionPinned)
        .pinnedCompletionsProperties(json("{\"options\":{\"num_ctx\":4096}}")).build());
    harness.store.putBackend(ScenarioHarness.backendFor("e", embeddingPinned)
        .pinnedEmbeddingsProperties(json("{\"truncate\":false}")).build());
    harness.store.putFrontend(Frontend.builder("fc").hostname("c.test").backends(List.of("c")).build());
    harness.store.putFrontend(Frontend.builder("fe").hostname("e.test").backends(List.of("e")).build());
    harness.cluster().reload();

    String oddEmbed = "{ \"model\" : \"e\",\n  \"input\": [\"a\", \"b\"] }";
    postOk("/api/embed", oddEmbed, Map.of("Host", "c.test"));
    assertThat(received(completionPinned)).isEqualTo(oddEmbed);
    String oddChat = "{ \"model\" : \"m\",\n  \"messages\": [ ] }";
    postOk("/api/chat", oddChat, Map.of("Host", "e.test"));
    assertThat(received(embeddingPinned)).isEqualTo(oddChat);
  }

  @Test
  void frontendPinOfModelForcesTheModelTheBackendSees() throws Exception {
    harness.start(b -> b.disableActiveHealthChecks());
    MockWebServer backend = harness.backend(answer("b1"));
    harness.configure(Frontend.builder("f1").pinnedCompletionsProperties(json("{\"model\":\"forced\"}")),
        ScenarioHarness.backendFor("b1", backend).build());

    postOk("/api/generate", "{\"model\":\"asked\",\"prompt\":\"hi\"}");
    assertThat(received(backend)).isEqualTo("{\"model\":\"forced\",\"prompt\":\"hi\"}");
    // The client need not name a model at all when the frontend pins one.
    postOk("/api/chat", "{\"messages\":[]}");
    assertThat(received(backend)).isEqualTo("{\"messages\":[],\"model\":\"forced\"}");
    // No embeddings pin, so an embed request still has to name its model.
    try (Response r = harness.post("/api/embed", "{\"input\":\"hi\"}")) {
      assertThat(r.code()).isEqualTo(400);
      assertThat(r.body().string()).contains("model is required");
    }
    assertThat(backend.getRequestCount()).isEqualTo(2);
  }

  @Test
  void withoutPinsTheBodyReachesTheBackendByteForByte() throws Exception {
    harness.start(b -> b.disableActiveHealthChecks());
    MockWebServer backend = harness.backend(answer("b1"));
    harness.configure(Frontend.builder("f1"), ScenarioHarness.backendFor("b1", backend).build());

    String pretty = "{\n"
        + "    \"model\"  :   \"m\" ,\n"
        + "\t\"messages\" : [ { \"role\":\"user\",   \"content\" : \"h\\u00e9llo \\\"q\\\"\" } ],\n"
        + "  \"options\": {\"temperature\": 1.50, \"num_ctx\" : 2048 }\n"
        + "}\n\n";
    postOk("/api/chat", pretty);
    assertThat(received(backend)).isEqualTo(pretty);
    String embed = "  {\"input\":[\"x\"] ,   \"model\":\"e\"}  ";
    postOk("/api/embed", embed);
    assertThat(received(backend)).isEqualTo(embed);
  }

  @Test
  void pinnedRequestWithMalformedJsonAfterTheModelGets400AndNeverReachesTheBackend() throws Exception {
    harness.start(b -> b.disableActiveHealthChecks());
    MockWebServer backend = harness.backend(answer("b1"));
    harness.configure(Frontend.builder("f1").pinnedCompletionsProperties(json("{\"options\":{\"num_ctx\":4096}}")),
        ScenarioHarness.backendFor("b1", backend).build());

    try (Response r = harness.post("/api/chat", "{\"model\":\"m\",\"options\":{\"top_k\":}}")) {
      assertThat(r.code()).isEqualTo(400);
      assertThat(r.body().string()).startsWith("{\"error\":\"malformed JSON in request body: ");
    }
    try (Response r = harness.post("/api/chat", "{\"model\":\"m\",\"messages\":[")) {
      assertThat(r.code()).isEqualTo(400);
      assertThat(r.body().string()).contains("malformed JSON in request body");
    }
    assertThat(backend.getRequestCount()).isZero();
    // The same broken body without pins is streamed on untouched, for the backend to judge.
    harness.configure(Frontend.builder("f1"), ScenarioHarness.backendFor("b1", backend).build());
    postOk("/api/chat", "{\"model\":\"m\",\"options\":{\"top_k\":}}");
    assertThat(received(backend)).isEqualTo("{\"model\":\"m\",\"options\":{\"top_k\":}}");
  }

  @Test
  void largeChunkedPinnedBodyIsMergedWholeAndReplayedIntactOnRetry() throws Exception {
    harness.start(b -> b.disableActiveHealthChecks());
    MockWebServer failing = harness.backend(new MockResponse.Builder().code(500).body("{\"error\":\"boom\"}").build());
    MockWebServer healthy = harness.backend(answer("healthy"));
    harness.configure(Frontend.builder("f1").pinnedCompletionsProperties(json("{\"options\":{\"num_ctx\":4096}}")),
        ScenarioHarness.backendFor("failing", failing).build(), ScenarioHarness.backendFor("healthy", healthy).build());
    // Beyond the parser's first block and beyond the 256 KiB a body keeps in memory, sent without Content-Length.
    String prompt = "x".repeat(400_000);
    byte[] body = ("{\"model\":\"m\",\"prompt\":\"" + prompt + "\"}").getBytes(StandardCharsets.UTF_8);
    RequestBody chunked = new RequestBody() {
      @Override
      public okhttp3.MediaType contentType() {
        return ScenarioHarness.JSON;
      }

      @Override
      public long contentLength() {
        return -1;
      }

      @Override
      public void writeTo(BufferedSink sink) throws IOException {
        for (int off = 0; off < body.length; off += 10_000) {
          sink.write(body, off, Math.min(10_000, body.length - off));
          sink.flush();
        }
      }
    };

    assertThat(served(harness.call(new Request.Builder().url(harness.url("/api/generate")).post(chunked))))
        .isEqualTo("healthy");
    String expected = "{\"model\":\"m\",\"prompt\":\"" + prompt + "\",\"options\":{\"num_ctx\":4096}}";
    assertThat(received(failing)).isEqualTo(expected);
    assertThat(received(healthy)).isEqualTo(expected);
  }

  // ---- Allow* flags and draining ----

  @Test
  void backendDisallowingEmbeddingsIsNeverChosenForEmbedWhileTheOtherServesThem() throws Exception {
    harness.start(b -> b.disableActiveHealthChecks());
    harness.configure(Frontend.builder("f1"), named("no-embed").allowEmbeddings(false).build(), named("all").build());

    List<String> embedServers = new ArrayList<>();
    for (int i = 0; i < 6; i++) embedServers.add(served(post("/api/embed", EMBED, Map.of())));
    for (int i = 0; i < 2; i++) embedServers.add(served(post("/v1/embeddings", EMBED, Map.of())));
    assertThat(embedServers).containsOnly("all");
    // Completions still use both.
    assertThat(servers(4, Map.of())).containsExactlyInAnyOrder("no-embed", "all");
  }

  @Test
  void backendDisallowingCompletionsIsNeverChosenForChatWhileTheOtherServesIt() throws Exception {
    harness.start(b -> b.disableActiveHealthChecks());
    harness.configure(Frontend.builder("f1"), named("no-chat").allowCompletions(false).build(), named("all").build());

    List<String> chatServers = new ArrayList<>();
    for (int i = 0; i < 4; i++) chatServers.add(chat(Map.of()));
    for (int i = 0; i < 2; i++) chatServers.add(served(post("/api/generate", "{\"model\":\"m\",\"prompt\":\"p\"}", Map.of())));
    for (int i = 0; i < 2; i++) chatServers.add(served(post("/v1/chat/completions", CHAT, Map.of())));
    assertThat(chatServers).containsOnly("all");
    Set<String> embedServers = new HashSet<>();
    for (int i = 0; i < 4; i++) embedServers.add(served(post("/api/embed", EMBED, Map.of())));
    assertThat(embedServers).containsExactlyInAnyOrder("no-chat", "all");
  }

  @Test
  void everyBackendDisallowingEmbeddingsGets403() throws Exception {
    harness.start(b -> b.disableActiveHealthChecks());
    MockWebServer a = harness.backend(answer("a"));
    harness.configure(Frontend.builder("f1"), ScenarioHarness.backendFor("a", a).allowEmbeddings(false).build());

    try (Response r = harness.post("/api/embed", EMBED)) {
      assertThat(r.code()).isEqualTo(403);
      assertThat(r.body().string()).isEqualTo("{\"error\":\"every backend of frontend 'f1' disallows embeddings requests\"}");
    }
    assertThat(a.getRequestCount()).isZero();
  }

  @Test
  void frontendDisallowingCompletionsAnswers403AndStillServesEmbeddings() throws Exception {
    harness.start(b -> b.disableActiveHealthChecks());
    MockWebServer a = harness.backend(answer("a"));
    harness.configure(Frontend.builder("f1").allowCompletions(false), ScenarioHarness.backendFor("a", a).build());

    try (Response r = harness.post("/api/chat", CHAT)) {
      assertThat(r.code()).isEqualTo(403);
      assertThat(r.body().string()).isEqualTo("{\"error\":\"frontend 'f1' does not allow completions requests\"}");
    }
    try (Response r = harness.post("/v1/chat/completions", CHAT)) {
      assertThat(r.code()).isEqualTo(403);
      assertThat(r.body().string()).contains("frontend 'f1' does not allow completions requests");
    }
    try (Response r = harness.post("/api/generate", "{\"model\":\"m\",\"prompt\":\"p\"}")) {
      assertThat(r.code()).isEqualTo(403);
    }
    assertThat(a.getRequestCount()).isZero();
    postOk("/api/embed", EMBED);
    assertThat(a.getRequestCount()).isEqualTo(1);
  }

  @Test
  void deactivatingABackendDrainsItAStreamInFlightFinishesWhileNewRequestsGoElsewhere() throws Exception {
    harness.start(b -> b.disableActiveHealthChecks());
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 5; i++) lines.add("{\"response\":\"t" + i + "\",\"done\":" + (i == 4) + "}\n");
    CountDownLatch proceed = new CountDownLatch(1);
    MockWebServer streaming = harness.backend(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        if (!request.getTarget().equals("/api/generate")) return nameResponse("streaming");
        return new MockResponse.Builder().addHeader("Content-Type", "application/x-ndjson")
            .addHeader("Transfer-Encoding", "chunked").body(new SlowNdjson(lines, 100, proceed)).build();
      }
    });
    MockWebServer other = harness.backend(answer("other"));
    harness.configure(Frontend.builder("f1"), ScenarioHarness.backendFor("streaming", streaming).build(),
        ScenarioHarness.backendFor("other", other).build());

    ExecutorService client = Executors.newSingleThreadExecutor();
    CountDownLatch firstLineSeen = new CountDownLatch(1);
    try {
      Future<String> stream = client.submit(() -> {
        try (Response r = harness.post("/api/generate", "{\"model\":\"m\",\"prompt\":\"p\"}")) {
          assertThat(r.code()).isEqualTo(200);
          assertThat(r.header("X-OllamaFlow-Backend")).isEqualTo("streaming");
          BufferedSource source = r.body().source();
          String first = source.readUtf8LineStrict() + "\n";
          firstLineSeen.countDown();
          return first + source.readUtf8();
        }
      });
      assertThat(firstLineSeen.await(10, TimeUnit.SECONDS)).as("the first line arrived").isTrue();

      setActive("streaming", false);
      List<String> during = new ArrayList<>();
      for (int i = 0; i < 4; i++) during.add(chat(Map.of()));
      assertThat(during).containsOnly("other");
      proceed.countDown();

      assertThat(stream.get(10, TimeUnit.SECONDS)).isEqualTo(String.join("", lines));
    } finally {
      proceed.countDown();
      client.shutdownNow();
    }
    assertThat(streaming.getRequestCount()).isEqualTo(1);
    // Back in rotation once reactivated: its capacity slot was given back.
    setActive("streaming", true);
    assertThat(servers(4, Map.of())).containsExactlyInAnyOrder("streaming", "other");
  }

  @Test
  void requestQueuedForASlotIsNotSentToABackendDeactivatedWhileItWaited() throws Exception {
    RecordingListener listener = new RecordingListener();
    harness.start(b -> b.disableActiveHealthChecks().eventListener(listener).adminBearerTokens(List.of("admin-token")));
    CountDownLatch releaseA = new CountDownLatch(1);
    CountDownLatch releaseB = new CountDownLatch(1);
    MockWebServer a = harness.backend(holding("a", releaseA));
    MockWebServer b = harness.backend(holding("b", releaseB));
    harness.configure(Frontend.builder("f1").timeoutMs(30_000),
        ScenarioHarness.backendFor("a", a).maxParallelRequests(1).build(),
        ScenarioHarness.backendFor("b", b).maxParallelRequests(1).build());

    ExecutorService clients = Executors.newFixedThreadPool(3);
    try {
      Map<String, String> hold = Map.of("X-Hold", "yes");
      Future<String> onA = clients.submit(() -> served(post("/api/chat", CHAT, hold)));
      Eventually.until(Duration.ofSeconds(5), "a is busy", () -> a.getRequestCount() == 1);
      Future<String> onB = clients.submit(() -> served(post("/api/chat", CHAT, hold)));
      Eventually.until(Duration.ofSeconds(5), "b is busy", () -> b.getRequestCount() == 1);
      Future<String> queued = clients.submit(() -> chat(Map.of()));
      Eventually.until(Duration.ofSeconds(5), "the third request waits in the capacity queue",
          () -> harness.cluster().queuedRequests("f1") == 1);
      // What the dashboard shows as "waiting for a slot".
      try (Response queues = harness.call(new Request.Builder().url(harness.url("/v1.0/frontends/queues"))
          .header("Authorization", "Bearer admin-token"))) {
        assertThat(queues.code()).isEqualTo(200);
        assertThat(queues.body().string()).contains("\"Identifier\": \"f1\"").contains("\"Queued\": 1");
      }

      setActive("a", false);
      releaseA.countDown();
      assertThat(onA.get(10, TimeUnit.SECONDS)).isEqualTo("a");
      // requestFinished comes after the request gave its slot on "a" back.
      Eventually.until(Duration.ofSeconds(5), "the request on a finished", () -> listener.finishedOn.contains("a"));
      releaseB.countDown();
      assertThat(onB.get(10, TimeUnit.SECONDS)).isEqualTo("b");
      // "a" was deactivated before its slot freed, so the waiting request must go to "b" once "b"
      // frees its slot, and "a" must see no new request: the waiter's candidates were taken before
      // the reload, so a slot handed over is checked against the current configuration.
      assertThat(queued.get(10, TimeUnit.SECONDS)).isEqualTo("b");
      assertThat(a.getRequestCount()).isEqualTo(1);
    } finally {
      releaseA.countDown();
      releaseB.countDown();
      clients.shutdownNow();
    }
  }

  @Test
  void leastRequestsSendsNewRequestsToTheIdleBackendWhileTheOtherIsBusy() throws Exception {
    harness.start(b -> b.disableActiveHealthChecks());
    CountDownLatch release = new CountDownLatch(1);
    MockWebServer a = harness.backend(holding("a", release));
    MockWebServer b = harness.backend(holding("b", release));
    harness.configure(Frontend.builder("f1").loadBalancing(Frontend.LEAST_REQUESTS),
        ScenarioHarness.backendFor("a", a).build(), ScenarioHarness.backendFor("b", b).build());

    ExecutorService client = Executors.newSingleThreadExecutor();
    try {
      Future<String> slow = client.submit(() -> served(post("/api/chat", CHAT, Map.of("X-Hold", "yes"))));
      Eventually.until(Duration.ofSeconds(5), "the slow request reached a backend",
          () -> a.getRequestCount() + b.getRequestCount() == 1);
      String busy = a.getRequestCount() == 1 ? "a" : "b";
      String idle = busy.equals("a") ? "b" : "a";

      for (int i = 0; i < 10; i++) assertThat(chat(Map.of())).as("request %d", i).isEqualTo(idle);
      release.countDown();
      assertThat(slow.get(10, TimeUnit.SECONDS)).isEqualTo(busy);
    } finally {
      release.countDown();
      client.shutdownNow();
    }
  }

  // ---- events ----

  @Test
  void listenerSeesHealthChangedWhenPassiveFailuresEjectABackend() throws Exception {
    RecordingListener listener = new RecordingListener();
    harness.start(b -> b.disableActiveHealthChecks().eventListener(listener));
    int deadPort = closedPort();
    harness.configure(Frontend.builder("f1"), Backend.builder("dead").hostname("127.0.0.1").port(deadPort).build(),
        named("alive").build());

    for (int i = 0; i < 20 && harness.cluster().health().get("dead").state() != HealthState.UNHEALTHY; i++) {
      assertThat(chat(Map.of())).isEqualTo("alive");
    }
    assertThat(harness.cluster().health().get("dead").state()).isEqualTo(HealthState.UNHEALTHY);
    Eventually.until(Duration.ofSeconds(5), "the listener saw the ejection", () -> !listener.health.isEmpty());
    assertThat(listener.health).containsExactly("dead UNKNOWN -> UNHEALTHY");
    assertThat(listener.lastErrors).singleElement().asString().contains("backend 'dead'", "refused the connection");
    // Requests went on being answered; every one of them finished on the healthy backend.
    assertThat(listener.finishedOn).isNotEmpty().containsOnly("alive");
  }

  // ---- helpers ----

  /** Three backends b1..b3 answering with their names, under round-robin frontend f1. */
  private void startStickyOverThree(boolean sticky) throws Exception {
    harness.start(b -> b.disableActiveHealthChecks());
    harness.configure(Frontend.builder("f1").useStickySessions(sticky), named("b1").build(), named("b2").build(),
        named("b3").build());
  }

  /** A started backend answering with its name, configured under the same identifier. */
  private Backend.Builder named(String id) throws Exception {
    return ScenarioHarness.backendFor(id, harness.backend(answer(id)));
  }

  private void setActive(String id, boolean active) {
    harness.store.putBackend(harness.store.backend(id).orElseThrow().toBuilder().active(active).build());
    harness.cluster().reload();
  }

  private static Dispatcher answer(String name) {
    return new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        return nameResponse(name);
      }
    };
  }

  private static MockResponse nameResponse(String name) {
    return new MockResponse.Builder().addHeader("Content-Type", "application/json")
        .body("{\"from\":\"" + name + "\"}").build();
  }

  /** Answers with its name; a request carrying {@code X-Hold} waits for {@code release} first. */
  private static Dispatcher holding(String name, CountDownLatch release) {
    return new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
        if (request.getHeaders().get("X-Hold") != null) release.await(20, TimeUnit.SECONDS);
        return nameResponse(name);
      }
    };
  }

  private Response post(String path, String body, Map<String, String> headers) throws Exception {
    Request.Builder request = new Request.Builder().url(harness.url(path))
        .post(RequestBody.create(body.getBytes(StandardCharsets.UTF_8), ScenarioHarness.JSON));
    headers.forEach(request::header);
    return harness.call(request);
  }

  private void postOk(String path, String body) throws Exception {
    postOk(path, body, Map.of());
  }

  private void postOk(String path, String body, Map<String, String> headers) throws Exception {
    try (Response r = post(path, body, headers)) {
      assertThat(r.code()).as("%s %s", path, r.peekBody(4096).string()).isEqualTo(200);
    }
  }

  /** The name of the backend that answered a chat request with these headers. */
  private String chat(Map<String, String> headers) throws Exception {
    return served(post("/api/chat", CHAT, headers));
  }

  /** The distinct backends that served {@code n} chat requests with these headers. */
  private Set<String> servers(int n, Map<String, String> headers) throws Exception {
    Set<String> servers = new HashSet<>();
    for (int i = 0; i < n; i++) servers.add(chat(headers));
    return servers;
  }

  private static String served(Response response) throws IOException {
    try (response) {
      String body = response.body().string();
      assertThat(response.code()).as(body).isEqualTo(200);
      String from = response.header("X-OllamaFlow-Backend");
      // Untranslated answers also name their backend in the body (a translated one is rewritten).
      JsonNode named = JSON.readTree(body).get("from");
      if (named != null) assertThat(named.asText()).isEqualTo(from);
      return from;
    }
  }

  /** The body of the next request the backend received. */
  private static String received(MockWebServer backend) throws Exception {
    RecordedRequest request = backend.takeRequest(5, TimeUnit.SECONDS);
    assertThat(request).as("a request reached the backend").isNotNull();
    return request.getBody().utf8();
  }

  private static ObjectNode json(String text) throws IOException {
    return (ObjectNode) JSON.readTree(text);
  }

  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /**
   * NDJSON written as HTTP/1.1 chunks, one line per chunk: the first at once, then (once
   * {@code proceed} is released) the others with {@code pauseMs} between them. Serve it with
   * {@code Transfer-Encoding: chunked}.
   */
  private static final class SlowNdjson implements MockResponseBody {
    private final List<String> lines;
    private final long pauseMs;
    private final CountDownLatch proceed;

    SlowNdjson(List<String> lines, long pauseMs, CountDownLatch proceed) {
      this.lines = lines;
      this.pauseMs = pauseMs;
      this.proceed = proceed;
    }

    @Override
    public long getContentLength() {
      return -1;
    }

    @Override
    public void writeTo(BufferedSink sink) throws IOException {
      try {
        for (int i = 0; i < lines.size(); i++) {
          if (i == 1 && !proceed.await(20, TimeUnit.SECONDS)) throw new IOException("never told to proceed");
          if (i > 1) Thread.sleep(pauseMs);
          Chunks.write(sink, lines.get(i));
        }
        Chunks.end(sink);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException(e);
      }
    }
  }

  /** A hand-written listener recording health transitions and which backend finished each request. */
  private static final class RecordingListener implements FlowEventListener {
    final List<String> health = new CopyOnWriteArrayList<>();
    final List<String> lastErrors = new CopyOnWriteArrayList<>();
    final List<String> finishedOn = new CopyOnWriteArrayList<>();

    @Override
    public void healthChanged(BackendView backend, HealthStatus previous) {
      health.add(backend.backend().identifier() + " " + previous.state() + " -> " + backend.health().state());
      lastErrors.add(String.valueOf(backend.health().lastError()));
    }

    @Override
    public void requestFinished(RequestInfo request) {
      finishedOn.add(request.backendId());
    }
  }
}
