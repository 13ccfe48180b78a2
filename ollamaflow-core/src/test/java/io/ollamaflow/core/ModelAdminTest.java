package io.ollamaflow.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ollamaflow.api.Frontend;
import io.ollamaflow.core.testing.Eventually;
import io.ollamaflow.core.testing.FakeOllama;
import io.ollamaflow.core.testing.ScenarioHarness;
import java.time.Duration;
import java.util.List;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the admin API shows of models: inventories, digest conflicts, pulls, and starting a sync. */
class ModelAdminTest {
  private final ScenarioHarness harness = new ScenarioHarness();
  private final FakeOllama a = new FakeOllama("a", "llama3", "phi3").digest("phi3", "aaa");
  private final FakeOllama b = new FakeOllama("b", "phi3").digest("phi3", "bbb");

  @AfterEach
  void close() {
    harness.close();
  }

  private void start(Duration modelRefresh) throws Exception {
    harness.start(builder -> builder.adminBearerTokens(List.of("secret")).healthCheckInterval(Duration.ofMillis(50))
        .modelRefreshInterval(modelRefresh));
    harness.configure(Frontend.builder("f1"), ScenarioHarness.backendFor("a", harness.backend(a)).build(),
        ScenarioHarness.backendFor("b", harness.backend(b)).build());
  }

  @Test
  void healthViewListsEachBackendsModelsAndFlagsOneNameWithTwoDigests() throws Exception {
    start(Duration.ofMillis(100));
    Eventually.until(Duration.ofSeconds(5), "both backends listed",
        () -> harness.cluster().admin().health().stream().allMatch(FlowAdmin.BackendHealth::modelsKnown));

    FlowAdmin.BackendHealth health = harness.cluster().admin().health("a").orElseThrow();
    assertThat(health.installedModels()).containsEntry("llama3:latest", "d").containsEntry("phi3:latest", "aaa");
    assertThat(health.digestConflicts()).containsExactly("phi3:latest");
    assertThat(harness.cluster().admin().health("b").orElseThrow().digestConflicts()).containsExactly("phi3:latest");

    try (Response r = harness.call(new Request.Builder().url(harness.url("/v1.0/backends/a/health"))
        .header("Authorization", "Bearer secret"))) {
      JsonNode json = new ObjectMapper().readTree(r.body().string());
      assertThat(json.path("ModelsKnown").booleanValue()).isTrue();
      assertThat(json.path("Models").findValuesAsText("Name")).containsExactly("llama3:latest", "phi3:latest");
      assertThat(json.path("Models").get(1).path("Digest").textValue()).isEqualTo("aaa");
      assertThat(json.path("DigestConflicts").get(0).textValue()).isEqualTo("phi3:latest");
    }
  }

  @Test
  void syncRouteStartsARoundAtOnceAndThePullShowsInTheHealthView() throws Exception {
    start(Duration.ofHours(1)); // only the first listing and the explicit round can pull
    Eventually.until(Duration.ofSeconds(5), "both backends listed",
        () -> harness.cluster().admin().health().stream().allMatch(FlowAdmin.BackendHealth::modelsKnown));
    Frontend f1 = harness.store.frontend("f1").orElseThrow();
    harness.cluster().admin().updateFrontend(f1.toBuilder().requiredModels(List.of("llama3")).build());

    try (Response r = harness.call(new Request.Builder().url(harness.url("/v1.0/frontends/f1/sync"))
        .header("Authorization", "Bearer secret").post(RequestBody.create(new byte[0])))) {
      assertThat(r.code()).isEqualTo(202);
    }
    Eventually.until(Duration.ofSeconds(5), "b pulled llama3", () -> b.has("llama3"));
    Eventually.until(Duration.ofSeconds(5), "the pull shows as done", () -> harness.cluster().admin().health("b")
        .orElseThrow().pulls().stream().anyMatch(p -> p.model().equals("llama3") && p.state() == ModelPull.State.DONE));
    try (Response r = harness.call(new Request.Builder().url(harness.url("/v1.0/frontends/nope/sync"))
        .header("Authorization", "Bearer secret").post(RequestBody.create(new byte[0])))) {
      assertThat(r.code()).isEqualTo(404);
    }
  }
}
