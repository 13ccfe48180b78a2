package io.ollamaflow.core.internal.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class RecentTrafficTest {
  private static final Instant START = Instant.parse("2026-12-04T10:00:00Z");

  /** A clock the test moves by hand. */
  private static final class HandClock extends Clock {
    private volatile Instant now = START;

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
    @Override public Clock withZone(java.time.ZoneId zone) { return this; }
    @Override public Instant instant() { return now; }
  }

  @Test
  void requestsRecordedFromManyThreadsAtOnceAreAllCounted() throws InterruptedException {
    RecentTraffic traffic = new RecentTraffic(new HandClock());
    int threads = 8;
    int each = 20_000;
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> started = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread thread = new Thread(() -> {
        try {
          go.await();
        } catch (InterruptedException e) {
          return;
        }
        for (int i = 0; i < each; i++) {
          ChatRequest r = new ChatRequest("m", "b1", i % 10 == 0 ? 500 : 200);
          traffic.firstByte(r);
          traffic.requestFinished(r);
        }
      });
      thread.start();
      started.add(thread);
    }
    go.countDown();
    for (Thread thread : started) thread.join();

    RecentTraffic.Bucket current = traffic.of("b1").get(RecentTraffic.BUCKETS - 1);
    assertThat(current.requests()).isEqualTo((long) threads * each);
    assertThat(current.errors()).isEqualTo((long) threads * each / 10);
    assertThat(current.firstBytes()).isEqualTo((long) threads * each);
    assertThat(current.latencyNanos()).isEqualTo(threads * each * 2_000_000L);
  }

  @Test
  void aSlotReusedAfterTheRingCameRoundStartsFromZero() {
    HandClock clock = new HandClock();
    RecentTraffic traffic = new RecentTraffic(clock);
    traffic.requestFinished(new ChatRequest("m", "b1", 200));
    traffic.requestFinished(new ChatRequest("m", "b1", 200));
    clock.advance(RecentTraffic.BUCKET.multipliedBy(RecentTraffic.BUCKETS));
    traffic.requestFinished(new ChatRequest("m", "b1", 200));

    List<RecentTraffic.Bucket> buckets = traffic.of("b1");
    assertThat(buckets).hasSize(RecentTraffic.BUCKETS);
    assertThat(buckets.get(RecentTraffic.BUCKETS - 1).requests()).isEqualTo(1);
    assertThat(buckets.subList(0, RecentTraffic.BUCKETS - 1)).allMatch(b -> b.requests() == 0);
  }
}
