package io.ollamaflow.core.internal.keys;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class KeySlotsTest {
  /** Far longer than any test runs: a waiter that returns in time was woken, not timed out. */
  private static final long LONG_GRACE = Duration.ofMinutes(10).toNanos();

  private final KeySlots slots = new KeySlots();

  @Test
  void aWaitingRequestIsAdmittedAsSoonAsASlotFrees() throws Exception {
    assertThat(slots.take(1, 0)).isTrue();
    AtomicReference<Thread> waiter = new AtomicReference<>();
    CompletableFuture<Boolean> second = CompletableFuture.supplyAsync(() -> {
      waiter.set(Thread.currentThread());
      return slots.take(1, LONG_GRACE);
    });
    awaitWaiting(waiter);
    assertThat(second).as("no slot yet").isNotDone();

    slots.release();

    assertThat(second.get(10, TimeUnit.SECONDS)).isTrue();
    assertThat(slots.take(1, 0)).as("the freed slot went to the waiter").isFalse();
  }

  @Test
  void aRequestIsRefusedOnceTheGracePassedWithNoSlotFreed() {
    assertThat(slots.take(2, 0)).isTrue();
    assertThat(slots.take(2, 0)).isTrue();

    assertThat(slots.take(2, 0)).isFalse();
    assertThat(slots.take(2, Duration.ofMillis(1).toNanos())).isFalse();
    slots.release();
    assertThat(slots.take(2, 0)).as("a refused request held no slot").isTrue();
  }

  @Test
  void aLimitOfZeroAdmitsEveryRequest() {
    for (int i = 0; i < 1000; i++) assertThat(slots.take(0, 0)).isTrue();
  }

  @Test
  void anInterruptedWaitGivesUpAndKeepsTheInterrupt() throws Exception {
    assertThat(slots.take(1, 0)).isTrue();
    AtomicReference<Thread> waiter = new AtomicReference<>();
    CompletableFuture<Boolean[]> second = CompletableFuture.supplyAsync(() -> {
      waiter.set(Thread.currentThread());
      boolean taken = slots.take(1, LONG_GRACE);
      return new Boolean[] {taken, Thread.interrupted()};
    });
    awaitWaiting(waiter);

    waiter.get().interrupt();

    assertThat(second.get(10, TimeUnit.SECONDS)).containsExactly(false, true);
  }

  /** Until the thread is parked in its timed wait for a slot. */
  private static void awaitWaiting(AtomicReference<Thread> waiter) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (waiter.get() == null || waiter.get().getState() != Thread.State.TIMED_WAITING) {
      assertThat(System.nanoTime() - deadline).as("the request began waiting").isNegative();
      Thread.onSpinWait();
    }
  }
}
