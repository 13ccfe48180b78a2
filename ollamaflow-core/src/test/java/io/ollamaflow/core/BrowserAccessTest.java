package io.ollamaflow.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ollamaflow.api.Frontend;
import io.ollamaflow.core.testing.ScenarioHarness;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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

  /**
   * Every answer a browser can get, admin and inference, preflight or not, with an origin named or
   * {@code *}: none allows credentials, even when the backend's own answer says it does.
   */
  @ParameterizedTest
  @ValueSource(strings = {"https://chat.example.com", "*"})
  void noAnswerEverAllowsCredentialsWithAWildcardOrAnEchoedOrigin(String allowed) throws Exception {
    harness.start(b -> b.disableActiveHealthChecks().allowedOrigins(List.of(allowed)).adminBearerTokens(List.of(TOKEN)));
    MockWebServer backend = harness.backend(new MockResponse.Builder().addHeader("Content-Type", "application/json")
        .addHeader("Access-Control-Allow-Credentials", "true").addHeader("Access-Control-Allow-Origin", "https://chat.example.com")
        .body("{\"response\":\"hi\",\"done\":true}").build());
    harness.configure(Frontend.builder("f1"), ScenarioHarness.backendFor("b1", backend).build());
    String origin = "https://chat.example.com";
    Map<String, Request.Builder> calls = new LinkedHashMap<>();
    calls.put("proxied POST /api/generate", new Request.Builder().url(harness.url("/api/generate"))
        .post(RequestBody.create("{\"model\":\"m\",\"stream\":false}", ScenarioHarness.JSON)));
    calls.put("refused POST /api/generate", new Request.Builder().url(harness.url("/api/generate"))
        .post(RequestBody.create("not json", ScenarioHarness.JSON)));
    calls.put("preflight /api/chat", preflight("/api/chat"));
    calls.put("admin GET /v1.0/backends", new Request.Builder().url(harness.url("/v1.0/backends"))
        .header("Authorization", "Bearer " + TOKEN));
    calls.put("admin 401", new Request.Builder().url(harness.url("/v1.0/backends")));
    calls.put("admin preflight", preflight("/v1.0/backends"));
    calls.put("GET /", new Request.Builder().url(harness.url("/")));
    for (Map.Entry<String, Request.Builder> call : calls.entrySet()) {
      try (Response response = harness.call(call.getValue().header("Origin", origin))) {
        assertThat(response.code()).as(call.getKey()).isEqualTo(call.getKey().startsWith("proxied") ? 200
            : call.getKey().contains("preflight") ? 204 : response.code()).isLessThan(500);
        assertThat(response.header("Access-Control-Allow-Origin")).as(call.getKey()).isIn("*", origin);
        assertThat(response.headers("Access-Control-Allow-Credentials")).as(call.getKey()).isEmpty();
      }
    }
  }

  private Request.Builder preflight(String path) {
    return new Request.Builder().url(harness.url(path)).method("OPTIONS", null)
        .header("Access-Control-Request-Method", "POST").header("Access-Control-Request-Headers", "authorization");
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
