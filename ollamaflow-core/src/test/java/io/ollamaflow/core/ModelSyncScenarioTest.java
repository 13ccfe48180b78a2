package io.ollamaflow.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.ollamaflow.api.Frontend;
import io.ollamaflow.core.testing.Eventually;
import io.ollamaflow.core.testing.FakeOllama;
import io.ollamaflow.core.testing.ScenarioHarness;
import java.time.Duration;
import java.util.List;
import mockwebserver3.MockWebServer;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** RequiredModels sync, and model management through a frontend kept consistent across its backends. */
class ModelSyncScenarioTest {
  private final ScenarioHarness harness = new ScenarioHarness();
  private final FakeOllama a = new FakeOllama("a", "llama3");
  private final FakeOllama b = new FakeOllama("b");
  private final FakeOllama c = new FakeOllama("c");

  @AfterEach
  void close() {
    harness.close();
  }

  private void start(Frontend.Builder frontend) throws Exception {
    harness.start(builder -> builder.healthCheckInterval(Duration.ofMillis(50))
        .modelRefreshInterval(Duration.ofMillis(100)).modelPulls(1, 2));
    MockWebServer sa = harness.backend(a);
    MockWebServer sb = harness.backend(b);
    MockWebServer sc = harness.backend(c);
    harness.configure(frontend, ScenarioHarness.backendFor("a", sa).build(), ScenarioHarness.backendFor("b", sb).build(),
        ScenarioHarness.backendFor("c", sc).build());
  }

  @Test
  void requiredModelsArePulledOntoEveryBackendThatLacksThem() throws Exception {
    start(Frontend.builder("f1").requiredModels(List.of("llama3", "qwen2.5:7b")));

    Eventually.until(Duration.ofSeconds(10), "every backend holds both models",
        () -> a.has("qwen2.5:7b") && b.has("llama3") && b.has("qwen2.5:7b") && c.has("llama3") && c.has("qwen2.5:7b"));
    assertThat(a.pulls.get()).as("a already had llama3: one pull, for qwen").isEqualTo(1);
    Eventually.until(Duration.ofSeconds(5), "the pulls are reported done",
        () -> harness.cluster().modelPulls().stream().allMatch(p -> p.state() == ModelPull.State.DONE)
            && !harness.cluster().modelPulls().isEmpty());
  }

  @Test
  void clientPullThroughAFrontendStreamsOneBackendsProgressAndSyncsTheRest() throws Exception {
    start(Frontend.builder("f1"));
    Eventually.until(Duration.ofSeconds(5), "discovery ran", () -> harness.cluster().health().size() == 3);

    try (Response r = harness.post("/api/pull", "{\"model\":\"phi3\"}")) {
      assertThat(r.code()).isEqualTo(200);
      assertThat(r.body().string()).endsWith("{\"status\":\"success\"}\n");
    }
    Eventually.until(Duration.ofSeconds(10), "every backend holds phi3", () -> a.has("phi3") && b.has("phi3") && c.has("phi3"));
    Eventually.until(Duration.ofSeconds(5), "phi3 is in RequiredModels",
        () -> harness.store.frontend("f1").orElseThrow().requiredModels().contains("phi3"));
  }

  @Test
  void clientDeleteThroughAFrontendRemovesTheModelEverywhereAndFromRequiredModels() throws Exception {
    start(Frontend.builder("f1").requiredModels(List.of("llama3")));
    Eventually.until(Duration.ofSeconds(10), "llama3 synced", () -> b.has("llama3") && c.has("llama3"));

    Request.Builder delete = new Request.Builder().url(harness.url("/api/delete"))
        .delete(RequestBody.create("{\"model\":\"llama3\"}", ScenarioHarness.JSON));
    try (Response r = harness.call(delete)) {
      assertThat(r.code()).isEqualTo(200);
      assertThat(r.header("X-OllamaFlow-Backend").split(",")).containsExactlyInAnyOrder("a", "b", "c");
    }
    assertThat(a.has("llama3") || b.has("llama3") || c.has("llama3")).isFalse();
    Eventually.until(Duration.ofSeconds(5), "llama3 left RequiredModels",
        () -> harness.store.frontend("f1").orElseThrow().requiredModels().isEmpty());
    Thread.sleep(400); // a few sync rounds: nothing pulls it back
    assertThat(a.has("llama3") || b.has("llama3") || c.has("llama3")).isFalse();

    try (Response r = harness.call(delete)) {
      assertThat(r.code()).isEqualTo(404);
      assertThat(r.body().string()).isEqualTo("{\"error\":\"model 'llama3' not found\"}");
    }
  }

  @Test
  void copyHappensOnEveryBackendHoldingTheSource() throws Exception {
    start(Frontend.builder("f1"));
    Eventually.until(Duration.ofSeconds(5), "discovery ran", () -> harness.cluster().health().size() == 3);
    Thread.sleep(300);

    try (Response r = harness.post("/api/copy", "{\"source\":\"llama3\",\"destination\":\"mine\"}")) {
      assertThat(r.code()).isEqualTo(200);
      assertThat(r.header("X-OllamaFlow-Backend")).isEqualTo("a");
    }
    assertThat(a.has("mine")).isTrue();
    assertThat(b.has("mine") || c.has("mine")).isFalse();
  }

  @Test
  void blobUploadsAndTheCreateThatUsesThemReachTheSameBackend() throws Exception {
    start(Frontend.builder("f1"));
    for (int i = 0; i < 5; i++) {
      String digest = "sha256:" + String.valueOf(i).repeat(64);
      try (Response head = harness.call(new Request.Builder().url(harness.url("/api/blobs/" + digest)).head())) {
        assertThat(head.code()).isEqualTo(404);
      }
      try (Response upload = harness.call(new Request.Builder().url(harness.url("/api/blobs/" + digest))
          .post(RequestBody.create(new byte[] {1, 2, 3})))) {
        assertThat(upload.code()).isEqualTo(201);
      }
      try (Response create = harness.post("/api/create",
          "{\"model\":\"custom" + i + "\",\"files\":{\"model.gguf\":\"" + digest + "\"},\"stream\":false}")) {
        assertThat(create.code()).as("create finds the blob on its backend").isEqualTo(200);
      }
    }
  }
}
