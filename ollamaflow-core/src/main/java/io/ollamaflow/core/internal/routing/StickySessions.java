package io.ollamaflow.core.internal.routing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

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
 */
public final class StickySessions {
  private final Clock clock;
  private final Map<Key, Session> byClient = new ConcurrentHashMap<>();

  /** @param clock the source of now; tests pass a clock they advance by hand */
  public StickySessions(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** One client's binding to a backend on one frontend. Immutable; a lookup replaces it with an extended copy. */
  public record Session(String frontendId, String clientKey, String backendId, Instant createdUtc,
      Instant expiresUtc, Instant lastAccessUtc) {}

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
    byClient.put(key, new Session(frontendId, clientKey, backendId, now, now.plus(ttl), now));
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

  private static Key key(String frontendId, String clientKey) {
    return new Key(Objects.requireNonNull(frontendId, "frontendId"), Objects.requireNonNull(clientKey, "clientKey"));
  }

  private static void checkTtl(Duration ttl) {
    Objects.requireNonNull(ttl, "ttl");
    if (ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("ttl: " + ttl + " (expected: > 0)");
    }
  }
}
