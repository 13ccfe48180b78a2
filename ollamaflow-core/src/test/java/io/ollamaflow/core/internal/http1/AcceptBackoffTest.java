package io.ollamaflow.core.internal.http1;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The accept loop's answer to repeated failures (out of file descriptors), on an injected clock. */
class AcceptBackoffTest {
  private static final long MS = 1_000_000L;

  @Test
  void reportsTheFirstFailureAtOnceThenAtMostOncePerIntervalWithTheCount() {
    AcceptBackoff backoff = new AcceptBackoff();
    List<Integer> reported = new ArrayList<>();
    // 20 failures a second for 25 s: what the issue saw the log take.
    for (long t = 0; t < 25_000; t += 50) {
      AcceptBackoff.Step step = backoff.failed(t * MS);
      if (step.report()) reported.add(step.failuresToReport());
    }

    assertThat(reported).containsExactly(1, 200, 200);
  }

  @Test
  void pausesLongerAfterEachFailureInARowUpToOneSecondAndShortAgainAfterASuccess() {
    AcceptBackoff backoff = new AcceptBackoff();
    List<Long> pauses = new ArrayList<>();
    for (int i = 0; i < 9; i++) pauses.add(backoff.failed(i * MS).pauseMs());

    backoff.succeeded();

    assertThat(pauses).containsExactly(10L, 20L, 40L, 80L, 160L, 320L, 640L, 1000L, 1000L);
    assertThat(backoff.failed(10 * MS).pauseMs()).isEqualTo(10);
  }
}
