package io.ollamaflow.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.ollamaflow.api.Frontend;
import io.ollamaflow.core.inprocess.FlowStream;
import io.ollamaflow.core.inprocess.GenerateRequest;
import io.ollamaflow.core.inprocess.GenerateResponse;
import io.ollamaflow.core.testing.ScenarioHarness;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Closing an in-process stream cancels the backend call, as an HTTP client's disconnect does. */
class InProcessCancellationTest {
  private final ScenarioHarness harness = new ScenarioHarness();

  @AfterEach
  void close() {
    harness.close();
  }

  @Test
  void closingAStreamCancelsTheBackendRequestWithinASecond() throws Exception {
    harness.start(b -> b.disableActiveHealthChecks());
    EndlessTokens tokens = new EndlessTokens(50);
    MockWebServer backend = harness.backend(new MockResponse.Builder().addHeader("Content-Type", "application/x-ndjson")
        .addHeader("Transfer-Encoding", "chunked").body(tokens).build());
    harness.configure(Frontend.builder("f1").timeoutMs(3000), ScenarioHarness.backendFor("b1", backend).maxParallelRequests(1).build());

    long closedAt;
    try (FlowStream<GenerateResponse> stream = harness.cluster().generateStream(GenerateRequest.of("m", "go"))) {
      Iterator<GenerateResponse> it = stream.iterator();
      assertThat(it.next().response()).as("tokens arrive while the backend is still generating").isEqualTo("token0");
      assertThat(it.next().response()).isEqualTo("token1");
      closedAt = System.nanoTime();
    }
    long stoppedAt = tokens.awaitStoppedAtNanos(5, TimeUnit.SECONDS);
    assertThat(stoppedAt).as("the backend's stream was cut").isPositive();
    assertThat(TimeUnit.NANOSECONDS.toMillis(stoppedAt - closedAt)).isLessThan(1000);

    // The capacity slot came back: with MaxParallelRequests 1, another request gets through (a
    // leaked slot would leave it queued until the 3 s TimeoutMs, then 504).
    try (FlowStream<GenerateResponse> again = harness.cluster().generateStream(GenerateRequest.of("m", "again"))) {
      assertThat(again.iterator().next().response()).isEqualTo("token0");
    }
  }
}
