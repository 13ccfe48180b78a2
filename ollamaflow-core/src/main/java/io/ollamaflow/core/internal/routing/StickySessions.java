package io.ollamaflow.core.internal.routing;

import io.ollamaflow.api.LiveState.Session;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sticky sessions: which backend a client of a frontend was last sent to, so its next requests go
 * there too (a backend that already holds the model and its KV cache answers sooner). A session is
 * keyed by frontend identifier and client key, so one client of two frontends has two independent
 * sessions. Expiry slides: every successful {@link #lookup} moves it to now plus the ttl. A session
 * is expired from the instant its {@code expiresUtc} is reached; expired sessions are dropped when
 * looked up or by {@link #sweep()}, and never returned.
 *
 * <p>Threading: safe for concurrent use by request, update and admin threads without external
 * locking. Reads of the map are lock-free; a successful lookup writes the extended session back
 * only if no one replaced it meanwhile, so a concurrent {@link #bind} always wins. Bulk removals
 * ({@link #forgetBackend}, {@link #sweep}...) are weakly consistent: they remove what they see and
 * count only what they removed. No method blocks.
 *
 * <p>Bounded, since clients choose the keys: a client key longer than {@code maxKeyLength} is
 * kept as its SHA-256 ({@code sha256:} and 64 hex digits), and once a bind takes the map past
 * {@code maxSessions}, the least recently used tenth of the sessions (expired ones first, as they
 * are the oldest) are evicted and counted, so the memory held follows from the two limits. The map
 * can pass the cap only by the binds running at that moment.
 */
public final class StickySessions {
  private static final Logger log = LoggerFactory.getLogger(StickySessions.class);
  public static final int DEFAULT_MAX_SESSIONS = 100_000;
  public static final int DEFAULT_MAX_KEY_LENGTH = 256;
  private static final String HASHED_PREFIX = "sha256:";

  private final Clock clock;
  private final int maxSessions;
  private final int maxKeyLength;
  private final Map<Key, Session> byClient = new ConcurrentHashMap<>();
  private final ReentrantLock evicting = new ReentrantLock();
  private final AtomicLong evictions = new AtomicLong();

  /** With the default limits; {@code clock} is the source of now (tests pass one they advance by hand). */
  public StickySessions(Clock clock) {
    this(clock, DEFAULT_MAX_SESSIONS, DEFAULT_MAX_KEY_LENGTH);
  }

  /**
   * @param maxSessions sessions kept before the least recently used are evicted; at least 1
   * @param maxKeyLength client keys longer than this are kept as their SHA-256; at least 71, the
   *     length of a hashed key, so a hash is never hashed again
   */
  public StickySessions(Clock clock, int maxSessions, int maxKeyLength) {
    this.clock = Objects.requireNonNull(clock, "clock");
    checkLimits(maxSessions, maxKeyLength);
    this.maxSessions = maxSessions;
    this.maxKeyLength = maxKeyLength;
  }

  /** @throws IllegalArgumentException naming the limit that is out of range */
  public static void checkLimits(int maxSessions, int maxKeyLength) {
    if (maxSessions < 1) throw new IllegalArgumentException("maxSessions: " + maxSessions + " (expected: >= 1)");
    if (maxKeyLength < HASHED_PREFIX.length() + 64) {
      throw new IllegalArgumentException("maxKeyLength: " + maxKeyLength + " (expected: >= "
          + (HASHED_PREFIX.length() + 64) + ")");
    }
  }

  /** Sessions evicted since start because the cap was reached. */
  public long evictions() {
    return evictions.get();
  }

  private record Key(String frontendId, String clientKey) {}

  /**
   * The backend this client is bound to on this frontend, extending the session to now plus
   * {@code ttl}; null if there is no session or it has expired, in which case it is removed.
   */
  public String lookup(String frontendId, String clientKey, Duration ttl) {
    Key key = key(frontendId, clientKey);
    checkTtl(ttl);
    Session session = byClient.get(key);
    if (session == null) return null;
    Instant now = clock.instant();
    if (isExpired(session, now)) {
      // Conditional, so a session bound since the read is not the one removed.
      byClient.remove(key, session);
      return null;
    }
    byClient.replace(key, session, new Session(session.frontendId(), session.clientKey(), session.backendId(),
        session.createdUtc(), now.plus(ttl), now));
    return session.backendId();
  }

  /** Binds this client of this frontend to a backend until now plus {@code ttl}, replacing any session it had. */
  public void bind(String frontendId, String clientKey, String backendId, Duration ttl) {
    Key key = key(frontendId, clientKey);
    Objects.requireNonNull(backendId, "backendId");
    checkTtl(ttl);
    Instant now = clock.instant();
    Session previous = byClient.put(key, new Session(frontendId, key.clientKey(), backendId, now, now.plus(ttl), now));
    if (previous == null && byClient.size() > maxSessions) evictLeastRecentlyUsed();
  }

  /** Brings the map down to nine tenths of the cap, least recently used first; one thread at a time. */
  private void evictLeastRecentlyUsed() {
    if (!evicting.tryLock()) return;
    try {
      int excess = byClient.size() - maxSessions * 9 / 10;
      if (excess <= 0) return;
      List<Map.Entry<Key, Session>> oldest = byClient.entrySet().stream()
          .sorted(Comparator.comparing(entry -> entry.getValue().lastAccessUtc()))
          .limit(excess)
          .toList();
      int removed = 0;
      for (Map.Entry<Key, Session> entry : oldest) {
        if (byClient.remove(entry.getKey(), entry.getValue())) removed++;
      }
      evictions.addAndGet(removed);
      log.info("sticky sessions reached their cap of {}: evicted the {} least recently used", maxSessions, removed);
    } finally {
      evicting.unlock();
    }
  }

  /** Removes this client's session on this frontend, if any. */
  public void unbind(String frontendId, String clientKey) {
    byClient.remove(key(frontendId, clientKey));
  }

  /** Removes every session bound to a backend, e.g. when it is deleted or turns unhealthy; returns how many. */
  public int forgetBackend(String backendId) {
    Objects.requireNonNull(backendId, "backendId");
    return removeIf(s -> s.backendId().equals(backendId));
  }

  /** Removes every session of a frontend, e.g. when it is deleted or stops using stickiness; returns how many. */
  public int forgetFrontend(String frontendId) {
    Objects.requireNonNull(frontendId, "frontendId");
    return removeIf(s -> s.frontendId().equals(frontendId));
  }

  /** Removes the sessions that have expired; returns how many. Meant to run periodically. */
  public int sweep() {
    Instant now = clock.instant();
    return removeIf(s -> isExpired(s, now));
  }

  /** The sessions that have not expired, ordered by frontend then client key; a snapshot. */
  public List<Session> sessions() {
    Instant now = clock.instant();
    return byClient.values().stream()
        .filter(s -> !isExpired(s, now))
        .sorted(Comparator.comparing(Session::frontendId).thenComparing(Session::clientKey))
        .toList();
  }

  /** Removes the sessions of one frontend, or all sessions when {@code frontendId} is null; returns how many. */
  public int clear(String frontendId) {
    return frontendId == null ? removeIf(s -> true) : forgetFrontend(frontendId);
  }

  private int removeIf(Predicate<Session> condition) {
    int removed = 0;
    for (Map.Entry<Key, Session> entry : byClient.entrySet()) {
      // Conditional removal counts only what this call removed, never a session replaced meanwhile.
      if (condition.test(entry.getValue()) && byClient.remove(entry.getKey(), entry.getValue())) removed++;
    }
    return removed;
  }

  private static boolean isExpired(Session session, Instant now) {
    return !now.isBefore(session.expiresUtc());
  }

  private Key key(String frontendId, String clientKey) {
    Objects.requireNonNull(frontendId, "frontendId");
    return new Key(frontendId, boundedKey(clientKey, maxKeyLength));
  }

  /**
   * The client key as sessions keep it: itself up to {@code maxKeyLength} characters, its SHA-256
   * beyond. Idempotent, so the cluster bounds keys before any {@code LiveState} sees them and the
   * in-memory one keeps them as they are.
   */
  public static String boundedKey(String clientKey, int maxKeyLength) {
    Objects.requireNonNull(clientKey, "clientKey");
    return clientKey.length() > maxKeyLength ? hashed(clientKey) : clientKey;
  }

  private static String hashed(String clientKey) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(clientKey.getBytes(StandardCharsets.UTF_8));
      return HASHED_PREFIX + HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  private static void checkTtl(Duration ttl) {
    Objects.requireNonNull(ttl, "ttl");
    if (ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("ttl: " + ttl + " (expected: > 0)");
    }
  }
}
