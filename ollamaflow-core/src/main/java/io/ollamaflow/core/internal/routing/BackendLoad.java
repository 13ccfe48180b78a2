package io.ollamaflow.core.internal.routing;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What one backend is measured to do, shared by its successive configurations: how many requests
 * it really runs at once (its learned concurrency limit), how long it takes to answer and to load
 * a model, and the load it reports that did not come through this cluster.
 *
 * <p><b>Learning the limit</b> (additive increase, decrease to what was observed; a delay-based
 * limit of the Vegas family). Each finished request is a sample: how many requests this cluster
 * had in flight there when it was sent ({@code n}, itself included), how long it waited inside the
 * backend before work started, and how long the work took. The wait is exact where the backend
 * reports it: an Ollama answer's {@code total_duration} minus its {@code load_duration},
 * {@code prompt_eval_duration} and {@code eval_duration} (Ollama's {@code load_duration} counts
 * from the request's arrival until its model is ready, so waiting for a model to load or for
 * another to be unloaded is not counted as waiting for a slot). A sample queued when its wait
 * exceeds a quarter of its work and {@link #QUEUED_FLOOR_NANOS}: the backend ran fewer than
 * {@code n} at once, so the limit drops to {@code n - 1} (never below 1). Without reported
 * durations the wait is estimated from time to first byte over the baseline seen with nothing
 * else in flight; being noisier (the proxy's own CPU, prompt length), it must exceed the baseline
 * and {@link #ESTIMATED_FLOOR_NANOS}, in {@link #ESTIMATED_IN_A_ROW} samples in a row. After
 * {@link #PROBE_AFTER} samples in a row sent at the limit without queueing, the limit rises by one
 * to probe for more. A backend that states its slots (llama.cpp {@code /slots}) sets the limit
 * outright, and one that reports requests waiting (vLLM {@code num_requests_waiting}) caps it at
 * what it reported running. {@code MaxParallelRequests} stays the hard ceiling throughout.
 *
 * <p>Threading: lock-free; request threads record samples, the load poller records reports.
 */
public final class BackendLoad {
  /** A wait inside the backend shorter than this is never called queueing (timer noise, scheduling). */
  static final long QUEUED_FLOOR_NANOS = 20_000_000;
  /** Without reported durations, a first byte later than the baseline by less than this is noise. */
  static final long ESTIMATED_FLOOR_NANOS = 50_000_000;
  /** Without reported durations, queued samples in a row before the limit drops. */
  static final int ESTIMATED_IN_A_ROW = 3;
  /** Clean samples at the limit before probing one higher. */
  static final int PROBE_AFTER = 8;
  private static final int UNLIMITED = Integer.MAX_VALUE;
  /** Weight of a new sample in the moving averages. */
  private static final double ALPHA = 0.2;
  private static final long DEFAULT_LOAD_NANOS = Duration.ofSeconds(5).toNanos();
  private static final long DEFAULT_SERVICE_NANOS = Duration.ofSeconds(1).toNanos();

  private final AtomicInteger learnedLimit = new AtomicInteger(UNLIMITED);
  private final AtomicInteger cleanAtLimit = new AtomicInteger();
  private final AtomicInteger estimatedQueuedInARow = new AtomicInteger();
  private final AtomicLong serviceNanos = new AtomicLong(-1);
  private final AtomicLong loadNanos = new AtomicLong(-1);
  private final AtomicLong idleFirstByteNanos = new AtomicLong(-1);
  private volatile int externalLoad;

  /** The limit to apply now: the learned one, within 1 and the configured ceiling. */
  public int limit(int ceiling) {
    return Math.max(1, Math.min(ceiling, learnedLimit.get()));
  }

  /** Requests running or waiting there that this cluster did not send, as last reported. */
  public int externalLoad() {
    return externalLoad;
  }

  public Duration typicalServiceTime() {
    long nanos = serviceNanos.get();
    return Duration.ofNanos(nanos < 0 ? DEFAULT_SERVICE_NANOS : nanos);
  }

  /** The moving average of the load times seen here; empty until one was. */
  public Optional<Duration> measuredLoadTime() {
    long nanos = loadNanos.get();
    return nanos < 0 ? Optional.empty() : Optional.of(Duration.ofNanos(nanos));
  }

  public Duration typicalLoadTime() {
    long nanos = loadNanos.get();
    return Duration.ofNanos(nanos < 0 ? DEFAULT_LOAD_NANOS : nanos);
  }

  /**
   * One request finished with a success.
   *
   * @param inFlight requests this cluster had in flight on the backend when it was sent, itself included
   * @param ceiling the backend's MaxParallelRequests
   * @param firstByteNanos from sending to the response's first byte
   * @param totalNanos from sending to the end of the answer
   * @param timings what the backend reported of its own time, or {@link AnswerTimings#NONE}
   */
  public void recordAnswer(int inFlight, int ceiling, long firstByteNanos, long totalNanos, AnswerTimings timings) {
    boolean queued;
    if (timings.known()) {
      if (timings.loadNanos() > QUEUED_FLOOR_NANOS) average(loadNanos, timings.loadNanos());
      average(serviceNanos, timings.workNanos());
      queued = timings.queuedNanos() > QUEUED_FLOOR_NANOS && timings.queuedNanos() * 4 > timings.workNanos();
    } else {
      average(serviceNanos, totalNanos);
      if (inFlight <= 1) average(idleFirstByteNanos, firstByteNanos);
      long baseline = idleFirstByteNanos.get();
      long late = baseline < 0 ? 0 : firstByteNanos - baseline;
      if (late > ESTIMATED_FLOOR_NANOS && late > baseline) {
        queued = estimatedQueuedInARow.incrementAndGet() >= ESTIMATED_IN_A_ROW;
      } else {
        estimatedQueuedInARow.set(0);
        queued = false;
      }
    }
    int limit = limit(ceiling);
    if (queued && inFlight > 1) {
      lowerTo(inFlight - 1);
      cleanAtLimit.set(0);
    } else if (!queued && inFlight >= limit && limit < ceiling) {
      if (cleanAtLimit.incrementAndGet() >= PROBE_AFTER) {
        cleanAtLimit.set(0);
        // Only from the limit this sample saw: a decrease made meanwhile by another thread wins.
        learnedLimit.compareAndSet(limit, limit + 1);
      }
    }
  }

  /**
   * What the backend reported of its own load.
   *
   * @param running requests it runs now, or -1 when not reported
   * @param waiting requests waiting inside it, or -1 when not reported
   * @param slots how many it runs at once by its own configuration, or -1 when not reported
   * @param ownInFlight requests this cluster has in flight there now
   */
  public void recordReport(int running, int waiting, int slots, int ownInFlight) {
    if (slots > 0) learnedLimit.set(slots);
    if (running >= 0 || waiting >= 0) {
      int total = Math.max(0, running) + Math.max(0, waiting);
      externalLoad = Math.max(0, total - ownInFlight);
      if (waiting > 0 && running > 0 && slots <= 0) lowerTo(running);
    }
  }

  private void lowerTo(int limit) {
    learnedLimit.accumulateAndGet(Math.max(1, limit), Math::min);
  }

  private static void average(AtomicLong target, long sample) {
    if (sample < 0) return;
    target.updateAndGet(old -> old < 0 ? sample : (long) (old + ALPHA * (sample - old)));
  }
}
