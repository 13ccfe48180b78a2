package io.ollamaflow.api;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * State that changes with every request and that several cluster instances may share: sticky
 * sessions (which backend a client of a frontend is bound to) and counters kept per fixed time
 * window (requests and tokens per minute of an API key, of a backend). The default,
 * {@code InMemoryLiveState} in core, is exact for one process; a shared implementation (e.g.
 * {@code PostgresLiveState}) lets a client keep its backend and a limit hold across instances.
 *
 * <p>Time: an implementation dates sessions by its own clock (the in-memory one by the cluster's,
 * a database by its own, so instances with skewed clocks still agree on expiry). Counter windows
 * are chosen by the caller ({@link WindowCount#windowStart}).
 *
 * <p>Threading: must be thread-safe. {@link #lookupSession}, {@link #bindSession},
 * {@link #addToWindow} and {@link #addToWindows} are called on request threads, one call per
 * decision: an implementation
 * that goes to the network answers within a short bound of its own and throws an unchecked
 * exception when it cannot (the database is down, slow or refuses). The cluster then decides on
 * its local, in-memory state for that call, counts the fallback, and tries the shared state again
 * a little later, so an outage costs requests no more than that bound once per retry interval.
 * The other methods are called on the cluster's update thread or an admin call's thread; a
 * failure of theirs is reported to the admin caller (503 naming the store) or logged.
 */
public interface LiveState extends AutoCloseable {
  /**
   * The backend this client of this frontend is bound to, extending its session to now plus
   * {@code ttl}; empty when it has no session or the session has expired.
   */
  Optional<String> lookupSession(SessionKey key, Duration ttl);

  /** Binds this client of this frontend to a backend until now plus {@code ttl}, replacing any session it had. */
  void bindSession(SessionKey key, String backendId, Duration ttl);

  /** Ends this client's session on this frontend, if it has one. */
  void unbindSession(SessionKey key);

  /** Ends every session bound to this backend (it was deleted); returns how many ended. */
  int forgetBackend(String backendId);

  /**
   * Ends every session of one frontend, or every session when {@code frontendId} is empty;
   * returns how many ended.
   */
  int clearSessions(Optional<String> frontendId);

  /** The sessions that have not expired, ordered by frontend, then client key; a snapshot. */
  List<Session> sessions();

  /**
   * Adds {@code amount} to the counter's window that starts at {@code windowStart} and returns the
   * window's total after the addition (an amount of 0 reads it). A window other than the current
   * one starts from 0; older windows may be forgotten.
   */
  long addToWindow(WindowCount count);

  /**
   * Adds to several counters and returns each one's total after its addition, in the order given:
   * what {@link #addToWindow} answers for each, in one call, so a decision that needs several
   * counters (an API key's tokens and requests per minute) costs an implementation that goes to
   * the network one round trip. The default calls {@link #addToWindow} for each; a networked
   * implementation should override it.
   *
   * @throws IllegalArgumentException when two additions name the same counter and window
   */
  default long[] addToWindows(List<WindowCount> counts) {
    Set<List<Object>> seen = new HashSet<>();
    for (WindowCount count : counts) {
      if (!seen.add(List.of(count.counter(), count.windowStart()))) {
        throw new IllegalArgumentException("counts: " + count.counter() + " at " + count.windowStart()
            + " appears twice (expected: each counter and window once)");
      }
    }
    long[] totals = new long[counts.size()];
    for (int i = 0; i < totals.length; i++) totals[i] = addToWindow(counts.get(i));
    return totals;
  }

  /**
   * Drops expired sessions and windows that have ended. The cluster calls it about once a minute
   * on its update thread; with several instances sharing the state, each calls it.
   */
  void sweep();

  /**
   * A client of a frontend: the frontend's identifier and the client's key (the first non-empty
   * sticky header, else its IP address; the cluster replaces a long key by its hash first).
   */
  record SessionKey(String frontendId, String clientKey) {
    public SessionKey {
      Objects.requireNonNull(frontendId, "frontendId");
      Objects.requireNonNull(clientKey, "clientKey");
    }
  }

  /** One client's binding to a backend on one frontend. */
  record Session(String frontendId, String clientKey, String backendId, Instant createdUtc, Instant expiresUtc,
      Instant lastAccessUtc) {
    public Session {
      Objects.requireNonNull(frontendId, "frontendId");
      Objects.requireNonNull(clientKey, "clientKey");
      Objects.requireNonNull(backendId, "backendId");
      Objects.requireNonNull(createdUtc, "createdUtc");
      Objects.requireNonNull(expiresUtc, "expiresUtc");
      Objects.requireNonNull(lastAccessUtc, "lastAccessUtc");
    }
  }

  /**
   * One addition to a windowed counter.
   *
   * @param counter what is counted, e.g. {@code apikey:<id>:requests}; bounded by configuration,
   *     never by what clients send
   * @param windowStart start of the window, a multiple of {@code window} since the epoch
   * @param window the window's length
   * @param amount what to add; 0 only reads
   */
  record WindowCount(String counter, Instant windowStart, Duration window, long amount) {
    public WindowCount {
      Objects.requireNonNull(counter, "counter");
      Objects.requireNonNull(windowStart, "windowStart");
      Objects.requireNonNull(window, "window");
      if (window.isNegative() || window.isZero()) throw new IllegalArgumentException("window: " + window + " (expected: > 0)");
      if (amount < 0) throw new IllegalArgumentException("amount: " + amount + " (expected: >= 0)");
    }

    /** The window of length {@code window} that holds {@code now}. */
    public static Instant windowStart(Instant now, Duration window) {
      long size = window.toMillis();
      return Instant.ofEpochMilli(Math.floorDiv(now.toEpochMilli(), size) * size);
    }
  }

  /** Releases what the implementation holds (connections, threads); the cluster never calls it on a state the host supplied. */
  @Override
  void close();
}
