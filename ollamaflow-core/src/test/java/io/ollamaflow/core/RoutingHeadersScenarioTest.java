package io.ollamaflow.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.ollamaflow.api.Frontend;
import io.ollamaflow.core.testing.ScenarioHarness;
import java.util.List;
import mockwebserver3.MockWebServer;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** OllamaFlow's routing response headers: X-OllamaFlow-Sticky and X-OllamaFlow-Label. */
class RoutingHeadersScenarioTest {
  private static final String CHAT = "{\"model\":\"m\",\"messages\":[]}";

  private final ScenarioHarness harness = new ScenarioHarness();

  @AfterEach
  void close() {
    harness.close();
  }

  private Response chat(String conversation, String labels) throws Exception {
    Request.Builder request = new Request.Builder().url(harness.url("/api/chat"))
        .post(RequestBody.create(CHAT, ScenarioHarness.JSON));
    if (conversation != null) request.header("x-conversation-id", conversation);
    if (labels != null) request.header("X-OllamaFlow-Label", labels);
    return harness.call(request);
  }

  @Test
  void stickyHeaderSaysWhetherASessionChoseTheBackend() throws Exception {
    harness.start(b -> b.disableActiveHealthChecks());
    MockWebServer one = harness.backend("{\"from\":\"b1\"}");
    MockWebServer two = harness.backend("{\"from\":\"b2\"}");
    harness.configure(Frontend.builder("f1").useStickySessions(true),
        ScenarioHarness.backendFor("b1", one).build(), ScenarioHarness.backendFor("b2", two).build());

    String first;
    try (Response response = chat("conv-1", null)) {
      assertThat(response.header("X-OllamaFlow-Sticky")).isEqualTo("False");
      first = response.header("X-OllamaFlow-Backend");
    }
    try (Response response = chat("conv-1", null)) {
      assertThat(response.header("X-OllamaFlow-Sticky")).isEqualTo("True");
      assertThat(response.header("X-OllamaFlow-Backend")).isEqualTo(first);
      assertThat(response.headers("X-OllamaFlow-Sticky")).hasSize(1);
    }
  }

  @Test
  void withoutStickySessionsTheHeaderIsFalse() throws Exception {
    harness.start(b -> b.disableActiveHealthChecks());
    MockWebServer one = harness.backend("{\"from\":\"b1\"}");
    harness.configure(Frontend.builder("f1"), ScenarioHarness.backendFor("b1", one).build());

    for (int i = 0; i < 2; i++) {
      try (Response response = chat("conv-1", null)) {
        assertThat(response.header("X-OllamaFlow-Sticky")).isEqualTo("False");
      }
    }
  }

  @Test
  void labelHeaderNamesTheLabelsTheBackendsWereFilteredBy() throws Exception {
    harness.start(b -> b.disableActiveHealthChecks());
    MockWebServer eu = harness.backend("{\"from\":\"eu\"}");
    MockWebServer us = harness.backend("{\"from\":\"us\"}");
    harness.configure(Frontend.builder("f1"),
        ScenarioHarness.backendFor("eu", eu).labels(List.of("eu", "gpu")).build(),
        ScenarioHarness.backendFor("us", us).labels(List.of("us")).build());

    try (Response response = chat(null, " gpu , eu,gpu")) {
      assertThat(response.header("X-OllamaFlow-Backend")).isEqualTo("eu");
      assertThat(response.header("X-OllamaFlow-Label")).isEqualTo("gpu,eu");
    }
    try (Response response = chat(null, null)) {
      assertThat(response.header("X-OllamaFlow-Label")).isNull();
    }
  }
}
