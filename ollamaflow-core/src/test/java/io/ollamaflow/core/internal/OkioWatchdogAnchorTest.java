package io.ollamaflow.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import okio.AsyncTimeout;
import org.junit.jupiter.api.Test;

class OkioWatchdogAnchorTest {
  /** A timeout that counts down {@code fired} when Okio's watchdog times it out. */
  private static AsyncTimeout timeout(Duration after, CountDownLatch fired) {
    AsyncTimeout timeout = new AsyncTimeout() {
      @Override
      protected void timedOut() {
        fired.countDown();
      }
    };
    timeout.timeout(after.toNanos(), TimeUnit.NANOSECONDS);
    return timeout;
  }

  @Test
  void timeoutsLongerAndShorterThanThePeriodStillFireWhileAnchored() throws InterruptedException {
    try (OkioWatchdogAnchor anchor = OkioWatchdogAnchor.start(Duration.ofMillis(20))) {
      CountDownLatch longer = new CountDownLatch(1);
      CountDownLatch shorter = new CountDownLatch(1);
      AsyncTimeout behind = timeout(Duration.ofMillis(200), longer);
      AsyncTimeout ahead = timeout(Duration.ofMillis(5), shorter);
      behind.enter();
      ahead.enter();

      assertThat(shorter.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(longer.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(behind.exit()).as("timed out").isTrue();
      assertThat(ahead.exit()).as("timed out").isTrue();
    }
  }

  @Test
  void entersAgainEachTimeItExpiresUntilClosed() throws InterruptedException {
    OkioWatchdogAnchor anchor = OkioWatchdogAnchor.start(Duration.ofMillis(5));
    // Without entering again it would expire once and stay out of the queue.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (anchor.reentries() < 3 && System.nanoTime() < deadline) Thread.sleep(5);
    assertThat(anchor.reentries()).isGreaterThanOrEqualTo(3);

    anchor.close();
    long atClose = anchor.reentries();
    // Entered after the close, due later than the anchor's period: once it fired, the watchdog
    // has passed the time an anchor still queued would have expired at.
    CountDownLatch afterClose = new CountDownLatch(1);
    AsyncTimeout probe = timeout(Duration.ofMillis(50), afterClose);
    probe.enter();
    assertThat(afterClose.await(10, TimeUnit.SECONDS)).isTrue();
    probe.exit();
    assertThat(anchor.reentries()).as("closed: out of the queue").isEqualTo(atClose);
  }
}
