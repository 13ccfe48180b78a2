package io.ollamaflow.core.internal.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class BackendLoadTest {
  private static final long MS = 1_000_000;
  private static final int CEILING = 8;

  /** An Ollama answer's durations: {@code queuedMs} waiting for a slot, 200 ms of work, no load. */
  private static AnswerTimings ollama(long queuedMs) {
    return new AnswerTimings((queuedMs + 200) * MS, MS, 20 * MS, 180 * MS);
  }

  @Test
  void startsAtTheConfiguredCeiling() {
    assertThat(new BackendLoad().limit(CEILING)).isEqualTo(CEILING);
  }

  @Test
  void anAnswerThatWaitedInsideLowersTheLimitBelowWhatWasInFlight() {
    BackendLoad load = new BackendLoad();

    load.recordAnswer(2, CEILING, 200 * MS, 200 * MS, ollama(0));
    load.recordAnswer(3, CEILING, 400 * MS, 400 * MS, ollama(200));

    assertThat(load.limit(CEILING)).as("ran 2 at once, the third waited").isEqualTo(2);
  }

  @Test
  void probesOneHigherAfterCleanAnswersAtTheLimit() {
    BackendLoad load = new BackendLoad();
    load.recordAnswer(3, CEILING, 400 * MS, 400 * MS, ollama(200));
    assertThat(load.limit(CEILING)).isEqualTo(2);

    for (int i = 0; i < BackendLoad.PROBE_AFTER; i++) load.recordAnswer(2, CEILING, 200 * MS, 200 * MS, ollama(0));

    assertThat(load.limit(CEILING)).isEqualTo(3);
  }

  @Test
  void neverGoesAboveTheCeilingNorBelowOne() {
    BackendLoad load = new BackendLoad();
    assertThat(load.limit(2)).isEqualTo(2);
    load.recordReport(-1, -1, 16, 0);
    assertThat(load.limit(2)).as("slots reported above MaxParallelRequests").isEqualTo(2);

    load.recordAnswer(1, CEILING, 400 * MS, 400 * MS, ollama(5_000));
    assertThat(load.limit(CEILING)).as("alone and still waited: not a limit of ours to learn").isEqualTo(CEILING);
  }

  @Test
  void withoutReportedDurationsThreeFirstBytesInARowFarAboveTheIdleBaselineCountAsQueueing() {
    BackendLoad load = new BackendLoad();
    load.recordAnswer(1, CEILING, 100 * MS, 100 * MS, AnswerTimings.NONE);

    load.recordAnswer(4, CEILING, 350 * MS, 350 * MS, AnswerTimings.NONE);
    load.recordAnswer(4, CEILING, 350 * MS, 350 * MS, AnswerTimings.NONE);
    assertThat(load.limit(CEILING)).as("two in a row may be noise").isEqualTo(CEILING);
    load.recordAnswer(4, CEILING, 350 * MS, 350 * MS, AnswerTimings.NONE);

    assertThat(load.limit(CEILING)).isEqualTo(3);
  }

  @Test
  void withoutReportedDurationsSmallOrBrokenDelaysDoNotCount() {
    BackendLoad load = new BackendLoad();
    load.recordAnswer(1, CEILING, 5 * MS, 5 * MS, AnswerTimings.NONE);

    for (int i = 0; i < 10; i++) {
      // 40 ms later than a 5 ms baseline: the proxy's own CPU, not the backend's queue.
      load.recordAnswer(6, CEILING, 45 * MS, 45 * MS, AnswerTimings.NONE);
    }
    load.recordAnswer(6, CEILING, 400 * MS, 400 * MS, AnswerTimings.NONE);
    load.recordAnswer(6, CEILING, 400 * MS, 400 * MS, AnswerTimings.NONE);
    load.recordAnswer(6, CEILING, 10 * MS, 10 * MS, AnswerTimings.NONE);
    load.recordAnswer(6, CEILING, 400 * MS, 400 * MS, AnswerTimings.NONE);

    assertThat(load.limit(CEILING)).isEqualTo(CEILING);
  }

  @Test
  void slotsReportedByTheBackendSetTheLimit() {
    BackendLoad load = new BackendLoad();

    load.recordReport(1, 0, 2, 0);

    assertThat(load.limit(CEILING)).isEqualTo(2);
  }

  @Test
  void aReportedWaitingQueueCapsTheLimitAtWhatRunsAndCountsAsLoadFromElsewhere() {
    BackendLoad load = new BackendLoad();

    load.recordReport(4, 6, -1, 1);

    assertThat(load.limit(CEILING)).isEqualTo(4);
    assertThat(load.externalLoad()).as("4 running + 6 waiting, 1 of them ours").isEqualTo(9);
  }

  @Test
  void measuresLoadAndServiceTimesFromOllamaDurations() {
    BackendLoad load = new BackendLoad();

    load.recordAnswer(1, CEILING, 700 * MS, 700 * MS, new AnswerTimings(700 * MS, 500 * MS, 20 * MS, 180 * MS));

    assertThat(load.typicalLoadTime().toMillis()).isEqualTo(500);
    assertThat(load.typicalServiceTime().toMillis()).isEqualTo(200);
  }

  @Test
  void findsTheDurationsAndTokenCountsAtTheEndOfAnOllamaAnswer() {
    byte[] tail = ("{\"model\":\"llama3\",\"done\":true,\"context\":[1,2,3],\"total_duration\":912000000,"
        + "\"load_duration\":500000000,\"prompt_eval_count\":5,\"prompt_eval_duration\":12000000,"
        + "\"eval_count\":8,\"eval_duration\":160000000}\n").getBytes(StandardCharsets.UTF_8);

    AnswerTimings timings = AnswerTimings.inTail(tail, tail.length);

    assertThat(timings).isEqualTo(new AnswerTimings(912 * MS, 500 * MS, 12 * MS, 160 * MS, 5, 8));
    assertThat(timings.queuedNanos()).isEqualTo(240 * MS);
    assertThat(AnswerTimings.inTail("{\"choices\":[]}".getBytes(StandardCharsets.UTF_8), 14))
        .isEqualTo(AnswerTimings.NONE);
  }

  @Test
  void findsTheTokenCountsOfAnOpenAiAnswersUsage() {
    byte[] tail = ("{\"choices\":[{\"message\":{\"content\":\"hi\"}}],"
        + "\"usage\":{\"prompt_tokens\":11,\"completion_tokens\":4,\"total_tokens\":15}}").getBytes(StandardCharsets.UTF_8);

    AnswerTimings timings = AnswerTimings.inTail(tail, tail.length);

    assertThat(timings.inputTokens()).isEqualTo(11);
    assertThat(timings.outputTokens()).isEqualTo(4);
    assertThat(timings.known()).isFalse();
  }

  @Test
  void readsOnlyTheLastLineOfAStreamsTailAndNotFieldNamesQuotedInsideText() {
    byte[] tail = ("ration\":7}\n{\"message\":{\"content\":\"hi\"},\"done\":false}\n"
        + "{\"done\":true,\"total_duration\":3000,\"load_duration\":0,\"prompt_eval_count\":2,"
        + "\"prompt_eval_duration\":1000,\"eval_count\":4,\"eval_duration\":1500,"
        + "\"response\":\"say \\\"eval_count\\\": 99\"}\n").getBytes(StandardCharsets.UTF_8);

    assertThat(AnswerTimings.inTail(tail, tail.length)).isEqualTo(new AnswerTimings(3000, 0, 1000, 1500, 2, 4));
    // A tail cut before the closing fields reports nothing rather than an earlier line's numbers.
    assertThat(AnswerTimings.inTail(tail, 60)).isEqualTo(AnswerTimings.NONE);
  }
}
