package io.ollamaflow.core.internal.keys;

import io.ollamaflow.api.ApiKeyUsage;
import io.ollamaflow.api.ConfigStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What each API key used since the last flush, kept in memory and added to the store's totals in
 * one batch every {@link #FLUSH_INTERVAL} (and when the cluster closes), never per request.
 * Entries exist only for configured keys, so their number is bounded by configuration; refusals
 * of requests that named no known key are one counter.
 *
 * <p>Threading: request threads {@link #add}; the cluster's update thread flushes; admin threads
 * read {@link #totals()}.
 */
public final class ApiKeyUsageLog {
  /** Time between two flushes to the store, as the cluster's clock counts it. */
  public static final Duration FLUSH_INTERVAL = Duration.ofSeconds(5);
  private static final Logger log = LoggerFactory.getLogger(ApiKeyUsageLog.class);

  private final ConfigStore store;
  private final Clock clock;
  private final Map<String, ApiKeyUsage> pending = new ConcurrentHashMap<>();
  private final AtomicLong refusalsWithoutKey = new AtomicLong();
  // A ReentrantLock, not synchronized: the holder blocks on the store (see ConfigWriter).
  private final ReentrantLock flushing = new ReentrantLock();
  private volatile Instant lastFlush;

  public ApiKeyUsageLog(ConfigStore store, Clock clock) {
    this.store = store;
    this.clock = clock;
    this.lastFlush = clock.instant();
  }

  /** Adds one request's (or refusal's) usage of a configured key. */
  public void add(ApiKeyUsage increment) {
    pending.merge(increment.identifier(), increment, ApiKeyUsage::plus);
  }

  /** A request refused for a missing, malformed or unknown key: counted, nothing kept per key. */
  public void refusedWithoutKey() {
    refusalsWithoutKey.incrementAndGet();
  }

  /** Refusals of requests that named no configured key, since the cluster started. */
  public long refusalsWithoutKey() {
    return refusalsWithoutKey.get();
  }

  /** Flushes when {@link #FLUSH_INTERVAL} has passed since the last flush; called every second. */
  public void flushIfDue() {
    if (!clock.instant().isBefore(lastFlush.plus(FLUSH_INTERVAL))) flush();
  }

  /** Adds what is pending to the store's totals now; kept for the next flush if the store fails. */
  public void flush() {
    flushing.lock();
    try {
      lastFlush = clock.instant();
      List<ApiKeyUsage> batch = takePending();
      if (batch.isEmpty()) return;
      try {
        store.addApiKeyUsage(batch);
      } catch (RuntimeException e) {
        batch.forEach(this::add);
        log.warn("Could not store API key usage ({} keys), kept for the next try: {}", batch.size(), e.toString());
      }
    } finally {
      flushing.unlock();
    }
  }

  /** The store's totals plus what is not flushed yet, one entry per key with any usage, by identifier. */
  public List<ApiKeyUsage> totals() {
    flushing.lock();
    try {
      Map<String, ApiKeyUsage> totals = new TreeMap<>();
      for (ApiKeyUsage stored : store.apiKeyUsage()) totals.put(stored.identifier(), stored);
      for (ApiKeyUsage unflushed : pending.values()) totals.merge(unflushed.identifier(), unflushed, ApiKeyUsage::plus);
      return List.copyOf(totals.values());
    } finally {
      flushing.unlock();
    }
  }

  private List<ApiKeyUsage> takePending() {
    List<ApiKeyUsage> batch = new ArrayList<>();
    for (String identifier : pending.keySet()) {
      // remove() is atomic: an add racing with it starts a new entry for the next flush.
      ApiKeyUsage increment = pending.remove(identifier);
      if (increment != null) batch.add(increment);
    }
    return batch;
  }
}
