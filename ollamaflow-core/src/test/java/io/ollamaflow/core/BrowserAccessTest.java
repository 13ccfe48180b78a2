package io.ollamaflow.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ollamaflow.api.Frontend;
import io.ollamaflow.core.testing.ScenarioHarness;
import java.util.List;
import mockwebserver3.MockWebServer;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What browsers send, with {@code Origin}, and the headers they require: the allowed origins a
 * cluster is built with, and OllamaFlow's web UI logging in from a page served elsewhere.
 */
class BrowserAccessTest {
  private static final String TOKEN = "ollamaflowadmin";

  private final ScenarioHarness harness = new ScenarioHarness();

  @AfterEach
  void stop() {
    harness.close();
  }

  @Test
  void configuredOriginsAddToOllamasDefaults() throws Exception {
    harness.start(b -> b.disableActiveHealthChecks().allowedOrigins(List.of("https://*.example.com")));
    MockWebServer backend = harness.backend("{\"models\":[]}");
    harness.configure(Frontend.builder("f1"), ScenarioHarness.backendFor("b1", backend).build());

    assertThat(allowOriginFor("https://chat.example.com")).isEqualTo("https://chat.example.com");
    assertThat(allowOriginFor("http://127.0.0.1:8080")).as("Ollama's default").isEqualTo("http://127.0.0.1:8080");
    assertThat(allowOriginFor("vscode-webview://abc")).as("Ollama's default").isEqualTo("vscode-webview://abc");
    assertThat(allowOriginFor("https://example.org")).isEqualTo("403");
    assertThat(allowOriginFor("https://chat.example.com.evil.org")).isEqualTo("403");
  }

  @Test
  void anyOriginAllowedIsAnsweredWithAWildcardAndNeverWithCredentials() throws Exception {
    harness.start(b -> b.disableActiveHealthChecks().allowedOrigins(List.of("*")));
    MockWebServer backend = harness.backend("{\"models\":[]}");
    harness.configure(Frontend.builder("f1"), ScenarioHarness.backendFor("b1", backend).build());

    try (Response response = harness.call(tags().header("Origin", "https://anywhere.example"))) {
      assertThat(response.code()).isEqualTo(200);
      assertThat(response.header("Access-Control-Allow-Origin")).isEqualTo("*");
      assertThat(response.header("Access-Control-Allow-Credentials")).isNull();
    }
  }

  @Test
  void originPatternsAreCheckedWhenTheClusterIsBuilt() {
    assertThatThrownBy(() -> FlowCluster.builder().allowedOrigins(List.of("https://*.*.example.com")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("allowedOrigins: \"https://*.*.example.com\"");
  }

  /** The requests OllamaFlow's web UI makes from its own origin to log in: GET /, then the admin API with a token. */
  @Test
  void ollamaFlowsWebUiServedFromAnotherOriginLogsIn() throws Exception {
    harness.start(b -> b.disableActiveHealthChecks().adminBearerTokens(List.of(TOKEN)));
    harness.configure(Frontend.builder("frontend1"));
    String ui = "http://ollamaflow-ui.internal:3000";

    try (Response root = harness.call(new Request.Builder().url(harness.url("/")).header("Origin", ui))) {
      assertThat(root.code()).isEqualTo(200);
      assertThat(root.header("Access-Control-Allow-Origin")).isEqualTo("*");
      assertThat(root.body().string()).isEqualTo("Ollama is running");
    }
    try (Response preflight = harness.call(new Request.Builder().url(harness.url("/v1.0/frontends"))
        .method("OPTIONS", null).header("Origin", ui).header("Access-Control-Request-Method", "GET")
        .header("Access-Control-Request-Headers", "authorization"))) {
      assertThat(preflight.code()).isEqualTo(204);
      assertThat(preflight.header("Access-Control-Allow-Origin")).isEqualTo("*");
      assertThat(preflight.header("Access-Control-Allow-Headers")).containsIgnoringCase("authorization");
      assertThat(preflight.header("Access-Control-Allow-Credentials")).isNull();
    }
    try (Response frontends = harness.call(new Request.Builder().url(harness.url("/v1.0/frontends"))
        .header("Origin", ui).header("Authorization", "Bearer " + TOKEN))) {
      assertThat(frontends.code()).isEqualTo(200);
      assertThat(frontends.header("Access-Control-Allow-Origin")).isEqualTo("*");
      assertThat(frontends.body().string()).contains("frontend1");
    }
  }

  private Request.Builder tags() {
    return new Request.Builder().url(harness.url("/api/tags"));
  }

  /** The Access-Control-Allow-Origin answered to a page of {@code origin}, or "403" when refused. */
  private String allowOriginFor(String origin) throws Exception {
    try (Response response = harness.call(tags().header("Origin", origin))) {
      if (response.code() == 403) return "403";
      assertThat(response.code()).isEqualTo(200);
      return response.header("Access-Control-Allow-Origin");
    }
  }
}
