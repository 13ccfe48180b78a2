package io.ollamaflow.core.internal.metrics;

import io.ollamaflow.api.FlowEventListener;
import io.ollamaflow.api.FlowException;
import io.ollamaflow.api.RequestInfo;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Each backend's traffic over the last minutes, in a ring of {@link #BUCKETS} buckets of
 * {@link #BUCKET} each: what the dashboard charts without a metrics registry. Bounded: one ring
 * per backend that answered, forgotten by {@link #retain}.
 *
 * <p>Threading: request threads record concurrently and never wait for each other: a bucket is
 * replaced by compare-and-set, so a thread preempted mid-update holds up no one.
 */
public final class RecentTraffic implements FlowEventListener {
  public static final Duration BUCKET = Duration.ofSeconds(10);
  public static final int BUCKETS = 30;

  private final Clock clock;
  private final Map<String, Ring> rings = new ConcurrentHashMap<>();

  public RecentTraffic(Clock clock) {
    this.clock = clock;
  }

  /** One bucket: requests finished in it, errors among them, and their summed latencies. */
  public record Bucket(long requests, long errors, long latencyNanos, long firstBytes, long firstByteNanos) {
    static final Bucket EMPTY = new Bucket(0, 0, 0, 0, 0);
  }

  @Override
  public void firstByte(RequestInfo r) {
    if (r.backendId() != null) ring(r.backendId()).add(now(), 0, 0, 0, 1, r.firstByteNanos());
  }

  @Override
  public void requestFinished(RequestInfo r) {
    if (r.backendId() != null) ring(r.backendId()).add(now(), 1, r.status() >= 500 ? 1 : 0, r.elapsedNanos(), 0, 0);
  }

  @Override
  public void requestFailed(RequestInfo r, FlowException failure) {
    // Only failures with nothing sent: a broken stream still ends in requestFinished.
    if (r.backendId() != null && r.status() == 0) ring(r.backendId()).add(now(), 1, 1, r.elapsedNanos(), 0, 0);
  }

  /** The backend's buckets, oldest first, the last being the current one; empty buckets where it had no traffic. */
  public List<Bucket> of(String backendId) {
    Ring ring = rings.get(backendId);
    long now = now();
    if (ring == null) return new Ring().snapshot(now);
    return ring.snapshot(now);
  }

  /** Forgets the backends not in {@code backendIds}: they were removed from the configuration. */
  public void retain(Collection<String> backendIds) {
    rings.keySet().retainAll(backendIds);
  }

  private Ring ring(String backendId) {
    return rings.computeIfAbsent(backendId, id -> new Ring());
  }

  /** When the bucket of {@code index} began. */
  public static Instant start(long index) {
    return Instant.ofEpochMilli(index * BUCKET.toMillis());
  }

  /** The index of the current bucket since the epoch. */
  private long now() {
    return clock.millis() / BUCKET.toMillis();
  }

  /** A backend's buckets, each slot holding the bucket of one index; replaced whole, by compare-and-set. */
  private static final class Ring {
    private final AtomicReferenceArray<Stamped> slots = new AtomicReferenceArray<>(BUCKETS);

    void add(long index, long requests, long errors, long latencyNanos, long firstBytes, long firstByteNanos) {
      int slot = (int) (index % BUCKETS);
      while (true) {
        Stamped seen = slots.get(slot);
        Bucket b = seen != null && seen.index == index ? seen.bucket : Bucket.EMPTY;
        Stamped next = new Stamped(index, new Bucket(b.requests + requests, b.errors + errors,
            b.latencyNanos + latencyNanos, b.firstBytes + firstBytes, b.firstByteNanos + firstByteNanos));
        if (slots.compareAndSet(slot, seen, next)) return;
      }
    }

    List<Bucket> snapshot(long now) {
      List<Bucket> result = new ArrayList<>(BUCKETS);
      for (long index = now - BUCKETS + 1; index <= now; index++) {
        Stamped s = slots.get((int) (index % BUCKETS));
        result.add(s != null && s.index == index ? s.bucket : Bucket.EMPTY);
      }
      return result;
    }
  }

  private record Stamped(long index, Bucket bucket) {}
}
