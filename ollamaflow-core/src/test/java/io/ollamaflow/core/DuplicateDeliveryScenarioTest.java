package io.ollamaflow.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.ollamaflow.api.Backend;
import io.ollamaflow.api.Frontend;
import io.ollamaflow.core.internal.BackendClients;
import io.ollamaflow.core.testing.Eventually;
import io.ollamaflow.core.testing.RawBackend;
import io.ollamaflow.core.testing.RetryLog;
import io.ollamaflow.core.testing.ScenarioHarness;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A request reaches a backend once unless the cluster itself sends it again, and every such
 * resend is reported: OkHttp's own resending of a request whose connection failed is off.
 * Through real sockets, with raw-socket backends that read a request whole and close.
 */
class DuplicateDeliveryScenarioTest {
  private static final String CHAT = "{\"model\":\"m\",\"stream\":false}";

  private final ScenarioHarness harness = new ScenarioHarness();
  private final RetryLog listener = new RetryLog();

  @AfterEach
  void close() {
    harness.close();
  }

  @Test
  void withoutRetriesEachPostReachesABackendThatClosesWithoutAnsweringExactlyOnce() throws Exception {
    harness.start(b -> b.disableActiveHealthChecks().eventListener(listener));
    try (RawBackend closing = new RawBackend(RawBackend.CLOSE_WITHOUT_ANSWER)) {
      harness.configure(Frontend.builder("f1").allowRetries(false), closing.backend("closing"));

      Map<Integer, Integer> statuses = postChats(10);

      assertThat(statuses).containsOnly(Map.entry(502, 10));
      assertThat(closing.posts()).as("POSTs the backend read").isEqualTo(10);
      assertThat(listener.retries()).isEmpty();
    }
  }

  @Test
  void withoutRetriesAKeptAliveConnectionThatFailsIsNotResentBehindTheProxysBack() throws Exception {
    harness.start(b -> b.disableActiveHealthChecks().eventListener(listener));
    // Answers the first request of each connection and keeps it; reads the second and closes.
    RawBackend.Script answerThenDrop = (method, path, n, out) -> {
      if (n > 1) return false;
      RawBackend.answer(out, 200, "{\"message\":{\"role\":\"assistant\",\"content\":\"hi\"},\"done\":true}");
      return true;
    };
    try (RawBackend flaky = new RawBackend(answerThenDrop)) {
      harness.configure(Frontend.builder("f1").allowRetries(false), flaky.backend("flaky"));

      Map<Integer, Integer> statuses = postChats(10);

      assertThat(statuses).containsOnly(Map.entry(200, 5), Map.entry(502, 5));
      assertThat(flaky.posts()).as("POSTs the backend read").isEqualTo(10);
      assertThat(listener.retries()).isEmpty();
    }
  }

  @Test
  void withRetriesEveryExtraPostIsTheClustersOwnResendAndIsReported() throws Exception {
    harness.start(b -> b.disableActiveHealthChecks().eventListener(listener));
    try (RawBackend first = new RawBackend(RawBackend.CLOSE_WITHOUT_ANSWER);
        RawBackend second = new RawBackend(RawBackend.CLOSE_WITHOUT_ANSWER)) {
      harness.configure(Frontend.builder("f1").allowRetries(true), first.backend("first"), second.backend("second"));

      Map<Integer, Integer> statuses = postChats(10);

      assertThat(statuses).containsOnly(Map.entry(502, 10));
      // Two eligible backends: each request goes to one, then once more to the other.
      assertThat(first.posts() + second.posts()).isEqualTo(10 + listener.retries().size());
      assertThat(listener.retries()).hasSize(10).allSatisfy(reason ->
          assertThat(reason).contains("after the request reached it whole (it may have started the work)"));
    }
  }

  @Test
  void aPullThatReachedItsBackendWholeIsNeverSentToAnotherEvenWithRetries() throws Exception {
    harness.start(b -> b.disableActiveHealthChecks().eventListener(listener));
    try (RawBackend first = new RawBackend(RawBackend.CLOSE_WITHOUT_ANSWER);
        RawBackend second = new RawBackend(RawBackend.CLOSE_WITHOUT_ANSWER)) {
      harness.configure(Frontend.builder("f1").allowRetries(true), first.backend("first"), second.backend("second"));

      try (Response r = harness.post("/api/pull", "{\"model\":\"m\",\"stream\":false}")) {
        assertThat(r.code()).isEqualTo(502);
      }
      assertThat(first.posts() + second.posts()).isEqualTo(1);
      assertThat(listener.retries()).isEmpty();
    }
  }

  @Test
  void aRefusedConnectionIsResentElsewhereAndReported() throws Exception {
    harness.start(b -> b.disableActiveHealthChecks().eventListener(listener));
    RawBackend gone = new RawBackend(RawBackend.CLOSE_WITHOUT_ANSWER);
    int deadPort = gone.port();
    gone.close();
    try (RawBackend answering = new RawBackend((method, path, n, out) -> {
      RawBackend.answer(out, 200, "{\"status\":\"success\"}");
      return true;
    })) {
      harness.configure(Frontend.builder("f1").allowRetries(true),
          Backend.builder("dead").hostname("127.0.0.1").port(deadPort).unhealthyThreshold(1000).build(),
          answering.backend("answering"));

      for (int i = 0; i < 4; i++) {
        try (Response r = harness.post("/api/pull", "{\"model\":\"m\",\"stream\":false}")) {
          assertThat(r.code()).isEqualTo(200);
        }
      }
      assertThat(answering.posts()).isEqualTo(4);
      assertThat(listener.retries()).isNotEmpty().allSatisfy(reason ->
          assertThat(reason).startsWith("dead: ").endsWith("refused the connection"));
    }
  }

  @Test
  void aPooledConnectionTheBackendClosedWhileIdleIsReplacedBeforeAnythingIsWrittenOnIt() throws Exception {
    // Answers each request with keep-alive, then closes the connection anyway (an idle timeout).
    try (RawBackend idleCloser = new RawBackend((method, path, n, out) -> {
      RawBackend.answer(out, 200, "{\"done\":true}");
      return false;
    })) {
      BackendClients guard = new BackendClients(System::nanoTime, 0);
      OkHttpClient client = guard.guard(new OkHttpClient());
      String url = "http://127.0.0.1:" + idleCloser.port() + "/api/chat";
      try (Response r = client.newCall(new Request.Builder().url(url).post(body()).build()).execute()) {
        assertThat(r.body().string()).isEqualTo("{\"done\":true}");
      }
      Eventually.until(Duration.ofSeconds(5), "the backend closed its first connection", () -> idleCloser.closed() == 1);

      try (Response r = client.newCall(new Request.Builder().url(url).post(body()).build()).execute()) {
        assertThat(r.code()).isEqualTo(200);
      }
      assertThat(idleCloser.posts()).as("POSTs the backend read").isEqualTo(2);
      assertThat(idleCloser.connections()).isEqualTo(2);
      assertThat(guard.staleConnections()).isEqualTo(1);
      client.connectionPool().evictAll();
    }
  }

  private Map<Integer, Integer> postChats(int count) throws Exception {
    Map<Integer, Integer> statuses = new TreeMap<>();
    for (int i = 0; i < count; i++) {
      try (Response r = harness.post("/api/chat", CHAT)) {
        r.body().string();
        statuses.merge(r.code(), 1, Integer::sum);
      }
    }
    return statuses;
  }

  private static RequestBody body() {
    return RequestBody.create(CHAT, ScenarioHarness.JSON);
  }
}
