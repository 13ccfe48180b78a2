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

/** Sticky sessions stay bounded when clients send ever new, large keys; through real sockets. */
class StickySessionBoundsScenarioTest {
  private final ScenarioHarness harness = new ScenarioHarness();

  @AfterEach
  void close() {
    harness.close();
  }

  @Test
  void distinct16KbConversationIdsStayWithinTheCapAsHashedKeysAndEveryEvictionIsCounted() throws Exception {
    harness.start(b -> b.disableActiveHealthChecks().stickySessionLimits(50, 256));
    MockWebServer backend = harness.backend("{\"done\":true}");
    harness.configure(Frontend.builder("f1").useStickySessions(true), ScenarioHarness.backendFor("b1", backend).build());

    int requests = 300;
    for (int i = 0; i < requests; i++) {
      String conversation = String.format("%05d", i) + "c".repeat(16_000);
      try (Response r = harness.call(new Request.Builder().url(harness.url("/api/chat"))
          .header("X-Conversation-Id", conversation)
          .post(RequestBody.create("{\"model\":\"m\",\"stream\":false}", ScenarioHarness.JSON)))) {
        assertThat(r.code()).isEqualTo(200);
      }
    }

    List<FlowAdmin.StickySession> sessions = harness.cluster().admin().sessions();
    assertThat(sessions).hasSizeLessThanOrEqualTo(50);
    assertThat(sessions).allSatisfy(s -> assertThat(s.clientKey()).matches("sha256:[0-9a-f]{64}"));
    assertThat(harness.cluster().admin().stickySessionEvictions()).isEqualTo(requests - sessions.size());
  }
}
