package io.ollamaflow.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ollamaflow.api.Backend;
import io.ollamaflow.api.FlowEventListener;
import io.ollamaflow.api.FlowException;
import io.ollamaflow.api.Frontend;
import io.ollamaflow.api.RequestInfo;
import io.ollamaflow.core.testing.FakeOllama;
import io.ollamaflow.core.testing.ScenarioHarness;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The cluster's Micrometer meters, recorded from real requests through real sockets into a
 * {@link SimpleMeterRegistry}: what is counted, under which labels, and that the labels stay bounded.
 */
class MetricsScenarioTest {
  /** An Ollama chat answer with the counts and durations Ollama reports at its end. */
  private static final String OLLAMA_ANSWER = "{\"model\":\"llama3\",\"message\":{\"role\":\"assistant\",\"content\":\"hi\"},"
      + "\"done\":true,\"total_duration\":90000000,\"load_duration\":1000000,\"prompt_eval_count\":7,"
      + "\"prompt_eval_duration\":20000000,\"eval_count\":5,\"eval_duration\":50000000}";
  private static final String CHAT = "{\"model\":\"llama3\",\"messages\":[]}";
  /** Names invented over HTTP; ModelLabelsTest sends 10,000 through the recorder itself. */
  private static final int INVENTED = 200;

  private final ScenarioHarness harness = new ScenarioHarness();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  /** Requests the cluster finished recording: a client has its answer before the recorders run. */
  private final Semaphore recorded = new Semaphore(0);

  @AfterEach
  void close() {
    harness.close();
  }

  private void start() throws Exception {
    harness.start(b -> b.meterRegistry(registry).disableActiveHealthChecks().eventListener(new FlowEventListener() {
      @Override
      public void requestFinished(RequestInfo r) {
        recorded.release();
      }

      @Override
      public void requestFailed(RequestInfo r, FlowException failure) {
        if (r.status() == 0) recorded.release();
      }
    }));
  }

  private void awaitRecorded(int requests) throws InterruptedException {
    assertThat(recorded.tryAcquire(requests, 10, TimeUnit.SECONDS)).as("requests recorded").isTrue();
  }

  @Test
  void requestsAreCountedByFrontendBackendModelKindAndStatusWithTokensAndTimeToFirstToken() throws Exception {
    start();
    MockWebServer one = harness.backend(OLLAMA_ANSWER);
    MockWebServer two = harness.backend(OLLAMA_ANSWER);
    harness.configure(Frontend.builder("f1").loadBalancing("round-robin"),
        ScenarioHarness.backendFor("b1", one).build(), ScenarioHarness.backendFor("b2", two).build());
    for (int i = 0; i < 4; i++) {
      try (Response response = harness.post("/api/chat", CHAT)) {
        assertThat(response.code()).isEqualTo(200);
      }
    }
    awaitRecorded(4);

    for (String backend : new String[] {"b1", "b2"}) {
      assertThat(registry.get("ollamaflow.request.duration").tags("frontend", "f1", "backend", backend, "kind", "chat",
          "model", "llama3:latest", "status", "2xx").timer().count()).isEqualTo(2);
      assertThat(registry.get("gen_ai.server.time_to_first_token").tags("backend", backend,
          "gen_ai.operation.name", "chat", "gen_ai.request.model", "llama3:latest").timer().count()).isEqualTo(2);
      assertThat(registry.get("gen_ai.client.token.usage").tags("backend", backend, "gen_ai.token.type", "input")
          .summary().totalAmount()).isEqualTo(14);
      assertThat(registry.get("gen_ai.client.token.usage").tags("backend", backend, "gen_ai.token.type", "output")
          .summary().totalAmount()).isEqualTo(10);
      // eval_duration / eval_count = 50 ms / 5
      assertThat(registry.get("gen_ai.server.time_per_output_token").tags("backend", backend).timer()
          .mean(java.util.concurrent.TimeUnit.MILLISECONDS)).isEqualTo(10.0);
    }
  }

  @Test
  void inventedModelNamesShareOnePlaceholderSoTheRegistryStaysBounded() throws Exception {
    start();
    MockWebServer ollama = harness.backend(new FakeOllama("b1", "llama3"));
    harness.configure(Frontend.builder("f1"), ScenarioHarness.backendFor("b1", ollama).build());
    Set<Meter.Id> before = registry.getMeters().stream().map(Meter::getId).collect(Collectors.toSet());
    for (int i = 0; i < INVENTED; i++) {
      try (Response response = harness.post("/api/chat", "{\"model\":\"invented-" + i + "\",\"messages\":[]}")) {
        assertThat(response.code()).isEqualTo(404);
      }
    }
    awaitRecorded(INVENTED);

    Set<String> models = registry.find("ollamaflow.request.duration").meters().stream()
        .map(m -> m.getId().getTag("model")).collect(Collectors.toSet());
    assertThat(models).containsExactly("other");
    assertThat(registry.get("ollamaflow.request.duration").tag("model", "other").timer().count()).isEqualTo(INVENTED);
    Set<Meter.Id> added = registry.getMeters().stream().map(Meter::getId).filter(id -> !before.contains(id))
        .collect(Collectors.toSet());
    // The one placeholder series: its timer and the gauges of its histogram buckets.
    assertThat(added).extracting(id -> id.getTag("model")).containsOnly("other");
  }

  @Test
  void failoversAreCountedByReasonAndTheBackendThatFailed() throws Exception {
    start();
    MockWebServer failing = harness.backend(new MockResponse.Builder().code(500).body("boom").build());
    MockWebServer busy = harness.backend(new MockResponse.Builder().code(503).body("busy").build());
    MockWebServer working = harness.backend(OLLAMA_ANSWER);
    harness.configure(Frontend.builder("f1").loadBalancing("round-robin").allowRetries(true),
        ScenarioHarness.backendFor("b1", failing).build(), ScenarioHarness.backendFor("b2", busy).build(),
        ScenarioHarness.backendFor("b3", working).build());
    // Round-robin starts each request at the next backend: within three requests each failing one goes first.
    for (int i = 0; i < 3; i++) {
      try (Response response = harness.post("/api/chat", CHAT)) {
        assertThat(response.code()).isEqualTo(200);
      }
    }
    awaitRecorded(3);

    // Every attempt on a failing backend was retried on another one, and counted once.
    assertThat(failing.getRequestCount()).isPositive();
    assertThat(busy.getRequestCount()).isPositive();
    assertThat(registry.get("ollamaflow.failovers").tags("backend", "b1", "reason", "error").counter().count())
        .isEqualTo(failing.getRequestCount());
    assertThat(registry.get("ollamaflow.failovers").tags("backend", "b2", "reason", "busy").counter().count())
        .isEqualTo(busy.getRequestCount());
    assertThat(registry.find("ollamaflow.failovers").tag("backend", "b3").counters()).isEmpty();
  }

  @Test
  void refusalsAreCountedByStatusAndReason() throws Exception {
    start();
    MockWebServer backend = harness.backend(OLLAMA_ANSWER);
    harness.configure(Frontend.builder("f1").active(false), ScenarioHarness.backendFor("b1", backend).build());
    try (Response response = harness.post("/api/chat", CHAT)) {
      assertThat(response.code()).isEqualTo(503);
    }
    awaitRecorded(1);

    assertThat(registry.get("ollamaflow.refusals").tags("frontend", "f1", "status", "503", "reason",
        "frontend_inactive").counter().count()).isEqualTo(1);
    assertThat(registry.get("ollamaflow.request.duration").tags("frontend", "f1", "backend", "none", "status", "5xx")
        .timer().count()).isEqualTo(1);
  }

  @Test
  void backendGaugesFollowTheConfigurationAndReadLiveState() throws Exception {
    start();
    MockWebServer one = harness.backend(OLLAMA_ANSWER);
    MockWebServer two = harness.backend(OLLAMA_ANSWER);
    harness.configure(Frontend.builder("f1"), ScenarioHarness.backendFor("b1", one).maxParallelRequests(3).build(),
        ScenarioHarness.backendFor("b2", two).build());

    assertThat(registry.get("ollamaflow.backend.concurrency.limit").tag("backend", "b1").gauge().value()).isEqualTo(3);
    assertThat(registry.get("ollamaflow.backend.requests.in.flight").tag("backend", "b2").gauge().value()).isZero();
    assertThat(registry.get("ollamaflow.backend.health").tags("backend", "b1", "state", "unknown").gauge().value())
        .isEqualTo(1);
    assertThat(registry.get("ollamaflow.frontend.requests.queued").tag("frontend", "f1").gauge().value()).isZero();

    harness.store.putFrontend(harness.store.frontend("f1").orElseThrow().toBuilder()
        .backends(java.util.List.of("b1")).build());
    harness.store.removeBackend("b2");
    harness.cluster().reload();

    assertThat(registry.find("ollamaflow.backend.concurrency.limit").tag("backend", "b2").gauges()).isEmpty();
    assertThat(registry.find("ollamaflow.backend.concurrency.limit").tag("backend", "b1").gauges()).hasSize(1);
  }
}
