package io.ollamaflow.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store's revision as last heard, kept current by {@code LISTEN} on one dedicated connection,
 * so that reading it costs no round trip and another instance's write is known within
 * milliseconds of its commit.
 *
 * <p>The connection is the watch's own, not a pooled one: it stays busy listening for the store's
 * whole life. Every write transaction sends {@code NOTIFY ollamaflow_config, '<new revision>'}; PostgreSQL
 * delivers it to every listening connection once the transaction commits. As a safety net the
 * watch also reads the revision itself whenever no notification came for {@code pollInterval};
 * that read is what notices a silently dead connection. After a lost connection it reconnects,
 * waiting 250 ms and doubling up to {@code pollInterval}, and reads the revision again, so writes
 * made meanwhile are seen on return. While it is disconnected, {@link #current()} keeps
 * answering the last value heard: the cluster goes on routing on the configuration it has.
 *
 * <p>The value only grows (the highest revision seen wins), so a stale read racing a newer write
 * never moves it back; the price is that a database restored to an older revision is not noticed
 * until its revision passes the one held here.
 */
final class RevisionWatch implements AutoCloseable {
  static final String CHANNEL = "ollamaflow_config";
  /** The watch connection's application_name, so operators (and tests) can tell it in pg_stat_activity. */
  static final String APPLICATION_NAME = "ollamaflow-revision-watch";
  private static final Logger log = LoggerFactory.getLogger(RevisionWatch.class);
  private static final long FIRST_RETRY_MS = 250;

  private final ConnectionSource connections;
  private final long pollMs;
  private final String location;
  private final AtomicLong revision;
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
  private final Thread thread;
  private volatile boolean closed;
  private volatile Connection connection; // the one being listened on, for close() to abort

  /** Opens the watch's dedicated connection. */
  @FunctionalInterface
  interface ConnectionSource {
    Connection open() throws SQLException;
  }

  RevisionWatch(ConnectionSource connections, Duration pollInterval, String location, long initialRevision) {
    this.connections = connections;
    this.pollMs = pollInterval.toMillis();
    this.location = location;
    this.revision = new AtomicLong(initialRevision);
    this.thread = new Thread(this::run, "ollamaflow-postgres-watch");
    thread.setDaemon(true);
    thread.start();
  }

  long current() {
    return revision.get();
  }

  /** Records a revision this process wrote or heard of; listeners run when it is news. */
  void advance(long seen) {
    long previous = revision.getAndAccumulate(seen, Math::max);
    if (seen <= previous) return;
    for (Runnable listener : listeners) {
      try {
        listener.run();
      } catch (RuntimeException e) {
        log.warn("A configuration change listener failed: {}", e.toString());
      }
    }
  }

  Runnable subscribe(Runnable listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  static long read(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT revision FROM meta WHERE id = 1");
        ResultSet rs = ps.executeQuery()) {
      if (!rs.next()) throw new SQLException("table meta has no row");
      return rs.getLong(1);
    }
  }

  /** Announces a committed revision; call inside the write transaction, which delivers it on commit. */
  static void announce(Connection c, long newRevision) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT pg_notify(?, ?)")) {
      ps.setString(1, CHANNEL);
      ps.setString(2, Long.toString(newRevision));
      ps.execute();
    }
  }

  private void run() {
    long retryMs = FIRST_RETRY_MS;
    boolean lost = false;
    while (!closed) {
      Connection c = null;
      try {
        c = connections.open();
        connection = c;
        PGConnection pg = c.unwrap(PGConnection.class);
        try (Statement s = c.createStatement()) {
          s.execute("SET application_name = '" + APPLICATION_NAME + "'");
          s.execute("LISTEN " + CHANNEL);
        }
        // Read after LISTEN: a write committed in between is both read here and notified.
        advance(read(c));
        if (lost) log.info("PostgreSQL: listening for configuration changes on {} again", location);
        lost = false;
        retryMs = FIRST_RETRY_MS;
        while (!closed) {
          PGNotification[] notifications = pg.getNotifications((int) pollMs);
          if (notifications == null || notifications.length == 0) {
            advance(read(c));
            continue;
          }
          for (PGNotification n : notifications) advance(parse(n.getParameter(), c));
        }
      } catch (SQLException | RuntimeException e) {
        if (closed) break;
        if (!lost) {
          log.warn("PostgreSQL: lost the configuration-change connection to {} ({}); routing goes on with the "
              + "configuration last read, retrying", location, e.getMessage());
        }
        lost = true;
      } finally {
        connection = null;
        discard(c);
      }
      if (closed) break;
      try {
        Thread.sleep(retryMs);
      } catch (InterruptedException e) {
        break;
      }
      retryMs = Math.min(retryMs * 2, Math.max(pollMs, FIRST_RETRY_MS));
    }
  }

  /**
   * Aborts the physical connection, then closes the handle: a host's pool must never get back a
   * connection that is still listening, or one whose failure its proxy did not see.
   */
  private static void discard(Connection c) {
    if (c == null) return;
    try {
      c.unwrap(Connection.class).abort(Runnable::run);
    } catch (SQLException | RuntimeException e) {
      log.debug("Aborting the watch connection failed: {}", e.toString());
    }
    try {
      c.close();
    } catch (SQLException | RuntimeException e) {
      log.debug("Closing the watch connection failed: {}", e.toString());
    }
  }

  /** A notification's payload is the new revision; one that is not (sent by hand) means "read it". */
  private static long parse(String payload, Connection c) throws SQLException {
    try {
      return Long.parseLong(payload);
    } catch (NumberFormatException e) {
      return read(c);
    }
  }

  /** Stops the watch; a blocked wait for notifications is cut by aborting its connection. */
  @Override
  public void close() {
    closed = true;
    Connection listening = connection;
    if (listening != null) {
      try {
        listening.unwrap(Connection.class).abort(Runnable::run);
      } catch (SQLException | RuntimeException e) {
        log.debug("Aborting the watch connection failed: {}", e.toString());
      }
    }
    thread.interrupt();
    try {
      thread.join(2_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
