package io.ollamaflow.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.ollamaflow.api.LiveState;
import io.ollamaflow.api.StoreUnavailableException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;

/**
 * A {@link LiveState} in PostgreSQL, shared by every OllamaFlow instance on the database: a sticky
 * session bound through one instance is found by the others, and a counter's window totals every
 * instance's additions.
 *
 * <p>Tables: {@code live_sessions} and {@code live_counters}, {@code UNLOGGED} (no WAL: fast, and
 * emptied if the server crashes, which costs clients their sessions and resets the current
 * window, nothing more), created at {@link Builder#build()} if missing, under an advisory lock so
 * instances starting together do not race. They are separate from {@link PostgresConfigStore}'s.
 *
 * <p>Cost: one statement, one round trip per call. A lookup is one {@code UPDATE ... RETURNING}
 * that extends the session and returns its backend; a bind and a counter addition are each one
 * {@code INSERT ... ON CONFLICT DO UPDATE} (the addition with {@code RETURNING total}, atomic under
 * concurrent instances), and so are several counter additions together ({@link #addToWindows}).
 * {@link #sweep()} deletes expired sessions, windows that ended more than a minute ago, and the
 * least recently used sessions past {@code maxSessions}.
 *
 * <p>Time: sessions are dated by the database's clock ({@code now()}), so instances with skewed
 * clocks agree on expiry; windows are the caller's.
 *
 * <p>Timeout: each call waits at most {@code timeout} (default 200 ms) for the database's answer
 * (the connection's network timeout, and the server's {@code statement_timeout} on this state's
 * own pool), plus, on its own pool, at most {@code max(250 ms, timeout)} for a free connection.
 * A call that fails or runs out of time throws {@link StoreUnavailableException} naming the
 * database; the cluster then decides on its local state (see {@code FlowCluster.Builder#liveState}).
 * The pool reconnects by itself once the database is back.
 *
 * <p>Threading: thread-safe; calls run on pooled connections. {@link #close()} closes this state's
 * own pool, never a {@link DataSource} the host supplied.
 */
public final class PostgresLiveState implements LiveState {
  public static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(200);
  public static final int DEFAULT_MAX_POOL_SIZE = 8;
  public static final int DEFAULT_MAX_SESSIONS = 1_000_000;
  /** What {@link #sweep()} may take: it runs on the cluster's update thread, never on a request's. */
  public static final Duration SWEEP_TIMEOUT = Duration.ofSeconds(5);
  /** Key of the advisory lock that serialises creating the tables ("ofLive01" in ASCII). */
  private static final long SCHEMA_LOCK = 0x6f664c6976653031L;
  private static final Executor SAME_THREAD = Runnable::run;

  private static final String LOOKUP = """
      UPDATE live_sessions SET expires_utc = now() + ? * interval '1 millisecond', last_access_utc = now()
      WHERE frontend_id = ? AND client_key = ? AND expires_utc > now()
      RETURNING backend_id""";
  private static final String BIND = """
      INSERT INTO live_sessions (frontend_id, client_key, backend_id, created_utc, expires_utc, last_access_utc)
      VALUES (?, ?, ?, now(), now() + ? * interval '1 millisecond', now())
      ON CONFLICT (frontend_id, client_key) DO UPDATE SET backend_id = EXCLUDED.backend_id,
        created_utc = EXCLUDED.created_utc, expires_utc = EXCLUDED.expires_utc,
        last_access_utc = EXCLUDED.last_access_utc""";
  private static final String ADD = """
      INSERT INTO live_counters (counter, window_start, window_end, total) VALUES (?, ?, ?, ?)
      ON CONFLICT (counter, window_start) DO UPDATE SET total = live_counters.total + EXCLUDED.total
      RETURNING total""";
  // Several counters in one statement; taken in a fixed order so two instances adding to the same
  // counters at once cannot deadlock. RETURNING gives no order: totals are matched by key.
  private static final String ADD_SEVERAL = """
      INSERT INTO live_counters (counter, window_start, window_end, total)
      SELECT counter, 'epoch'::timestamptz + start_us * interval '1 microsecond',
        'epoch'::timestamptz + end_us * interval '1 microsecond', amount
      FROM unnest(?::text[], ?::bigint[], ?::bigint[], ?::bigint[]) AS c(counter, start_us, end_us, amount)
      ORDER BY counter, start_us
      ON CONFLICT (counter, window_start) DO UPDATE SET total = live_counters.total + EXCLUDED.total
      RETURNING counter, window_start, total""";
  // "C" collation: ordered by code point, as the in-memory state orders them, whatever the database's locale.
  private static final String LIST = """
      SELECT frontend_id, client_key, backend_id, created_utc, expires_utc, last_access_utc FROM live_sessions
      WHERE expires_utc > now() ORDER BY frontend_id COLLATE "C", client_key COLLATE "C\"""";
  // Room on each page (fillfactor), and no index on the columns a lookup changes, keep lookups HOT updates.
  private static final String[] SCHEMA = {
      """
      CREATE UNLOGGED TABLE IF NOT EXISTS live_sessions (
        frontend_id TEXT NOT NULL,
        client_key TEXT NOT NULL,
        backend_id TEXT NOT NULL,
        created_utc TIMESTAMPTZ NOT NULL,
        expires_utc TIMESTAMPTZ NOT NULL,
        last_access_utc TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (frontend_id, client_key)
      ) WITH (fillfactor = 70)""",
      """
      CREATE UNLOGGED TABLE IF NOT EXISTS live_counters (
        counter TEXT NOT NULL,
        window_start TIMESTAMPTZ NOT NULL,
        window_end TIMESTAMPTZ NOT NULL,
        total BIGINT NOT NULL,
        PRIMARY KEY (counter, window_start)
      ) WITH (fillfactor = 70)"""
  };

  private final DataSource dataSource;
  private final HikariDataSource ownPool; // null when the host supplied the DataSource
  private final String location;
  private final Duration timeout;
  private final int maxSessions;
  private final AtomicBoolean closed = new AtomicBoolean();

  private PostgresLiveState(DataSource dataSource, HikariDataSource ownPool, String location, Duration timeout,
      int maxSessions) {
    this.dataSource = dataSource;
    this.ownPool = ownPool;
    this.location = location;
    this.timeout = timeout;
    this.maxSessions = maxSessions;
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public Optional<String> lookupSession(SessionKey key, Duration ttl) {
    long ttlMs = ttlMillis(ttl);
    return call("session lookup", c -> {
      try (PreparedStatement ps = c.prepareStatement(LOOKUP)) {
        ps.setLong(1, ttlMs);
        ps.setString(2, key.frontendId());
        ps.setString(3, key.clientKey());
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
        }
      }
    });
  }

  @Override
  public void bindSession(SessionKey key, String backendId, Duration ttl) {
    Objects.requireNonNull(backendId, "backendId");
    long ttlMs = ttlMillis(ttl);
    call("session bind", c -> {
      try (PreparedStatement ps = c.prepareStatement(BIND)) {
        ps.setString(1, key.frontendId());
        ps.setString(2, key.clientKey());
        ps.setString(3, backendId);
        ps.setLong(4, ttlMs);
        return ps.executeUpdate();
      }
    });
  }

  @Override
  public void unbindSession(SessionKey key) {
    update("session unbind", "DELETE FROM live_sessions WHERE frontend_id = ? AND client_key = ?",
        key.frontendId(), key.clientKey());
  }

  @Override
  public int forgetBackend(String backendId) {
    return update("forget backend", "DELETE FROM live_sessions WHERE backend_id = ?",
        Objects.requireNonNull(backendId, "backendId"));
  }

  @Override
  public int clearSessions(Optional<String> frontendId) {
    return frontendId.isPresent()
        ? update("clear sessions", "DELETE FROM live_sessions WHERE frontend_id = ?", frontendId.get())
        : update("clear sessions", "DELETE FROM live_sessions");
  }

  @Override
  public List<Session> sessions() {
    return call("list sessions", c -> {
      List<Session> sessions = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement(LIST); ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          sessions.add(new Session(rs.getString(1), rs.getString(2), rs.getString(3),
              rs.getObject(4, OffsetDateTime.class).toInstant(), rs.getObject(5, OffsetDateTime.class).toInstant(),
              rs.getObject(6, OffsetDateTime.class).toInstant()));
        }
      }
      return List.copyOf(sessions);
    });
  }

  @Override
  public long addToWindow(WindowCount count) {
    return call("counter " + count.counter(), c -> {
      try (PreparedStatement ps = c.prepareStatement(ADD)) {
        ps.setString(1, count.counter());
        ps.setTimestamp(2, Timestamp.from(stored(count.windowStart())));
        ps.setTimestamp(3, Timestamp.from(stored(count.windowStart().plus(count.window()))));
        ps.setLong(4, count.amount());
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          return rs.getLong(1);
        }
      }
    });
  }

  /** One statement, one round trip, whatever the number of counters. */
  @Override
  public long[] addToWindows(List<WindowCount> counts) {
    if (counts.size() < 2) return LiveState.super.addToWindows(counts);
    Map<List<Object>, Integer> positions = new HashMap<>();
    for (int i = 0; i < counts.size(); i++) {
      WindowCount count = counts.get(i);
      if (positions.put(List.of(count.counter(), stored(count.windowStart())), i) != null) {
        return LiveState.super.addToWindows(counts); // refuses them before adding anything
      }
    }
    return call("counters " + counts.get(0).counter() + " and " + (counts.size() - 1) + " more", c -> {
      try (PreparedStatement ps = c.prepareStatement(ADD_SEVERAL)) {
        ps.setArray(1, c.createArrayOf("text", counts.stream().map(WindowCount::counter).toArray(String[]::new)));
        ps.setArray(2, c.createArrayOf("bigint",
            counts.stream().map(count -> micros(count.windowStart())).toArray(Long[]::new)));
        ps.setArray(3, c.createArrayOf("bigint",
            counts.stream().map(count -> micros(count.windowStart().plus(count.window()))).toArray(Long[]::new)));
        ps.setArray(4, c.createArrayOf("bigint", counts.stream().map(WindowCount::amount).toArray(Long[]::new)));
        long[] totals = new long[counts.size()];
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            Instant start = rs.getObject(2, OffsetDateTime.class).toInstant();
            totals[positions.get(List.of(rs.getString(1), start))] = rs.getLong(3);
          }
        }
        return totals;
      }
    });
  }

  /** A window's start as PostgreSQL keeps it (microseconds), the same whichever method added to it. */
  private static Instant stored(Instant instant) {
    return instant.truncatedTo(ChronoUnit.MICROS);
  }

  private static long micros(Instant instant) {
    return ChronoUnit.MICROS.between(Instant.EPOCH, stored(instant));
  }

  /**
   * Deletes expired sessions, windows that ended over a minute ago (callers' clocks may lag the
   * database's), and past {@code maxSessions} the least recently used sessions. Runs off the
   * request path, in one transaction allowed {@link #SWEEP_TIMEOUT}.
   */
  @Override
  public void sweep() {
    call("sweep", SWEEP_TIMEOUT, c -> Transactions.run(c, tx -> {
      try (Statement s = tx.createStatement()) {
        s.execute("SET LOCAL statement_timeout = " + SWEEP_TIMEOUT.toMillis());
        s.executeUpdate("DELETE FROM live_sessions WHERE expires_utc <= now()");
        s.executeUpdate("DELETE FROM live_counters WHERE window_end < now() - interval '1 minute'");
      }
      try (PreparedStatement evict = tx.prepareStatement("""
          DELETE FROM live_sessions WHERE ctid IN (
            SELECT ctid FROM live_sessions ORDER BY last_access_utc DESC OFFSET ?)""");
          PreparedStatement count = tx.prepareStatement("SELECT count(*) FROM live_sessions");
          ResultSet rs = count.executeQuery()) {
        rs.next();
        if (rs.getLong(1) > maxSessions) {
          evict.setInt(1, maxSessions);
          evict.executeUpdate();
        }
      }
      return null;
    }));
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) return;
    if (ownPool != null) ownPool.close();
  }

  /** One statement on a pooled connection, answered within the timeout or failed. */
  private <T> T call(String operation, Transactions.Work<T> work) {
    return call(operation, timeout, work);
  }

  private <T> T call(String operation, Duration within, Transactions.Work<T> work) {
    if (closed.get()) throw new IllegalStateException("PostgreSQL live state: " + operation + " failed: closed");
    try (Connection c = dataSource.getConnection()) {
      c.setNetworkTimeout(SAME_THREAD, (int) within.toMillis());
      return work.run(c);
    } catch (SQLException e) {
      throw new StoreUnavailableException("PostgreSQL live state: " + operation + " on " + location + " failed: "
          + ConnectFailures.message(e), e);
    }
  }

  private int update(String operation, String sql, Object... parameters) {
    return call(operation, c -> {
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        for (int i = 0; i < parameters.length; i++) ps.setObject(i + 1, parameters[i]);
        return ps.executeUpdate();
      }
    });
  }

  private static long ttlMillis(Duration ttl) {
    Objects.requireNonNull(ttl, "ttl");
    if (ttl.isNegative() || ttl.isZero()) throw new IllegalArgumentException("ttl: " + ttl + " (expected: > 0)");
    return ttl.toMillis();
  }

  /** Settings for {@link PostgresLiveState}; {@link #build()} connects and creates the tables. */
  public static final class Builder {
    private String jdbcUrl;
    private String user;
    private String password;
    private DataSource dataSource;
    private Duration timeout = DEFAULT_TIMEOUT;
    private Duration connectTimeout = PostgresConfigStore.DEFAULT_CONNECT_TIMEOUT;
    private int maxPoolSize = DEFAULT_MAX_POOL_SIZE;
    private int maxSessions = DEFAULT_MAX_SESSIONS;

    private Builder() {}

    /** A URL such as {@code jdbc:postgresql://db.internal:5432/ollamaflow}; the state pools its own connections. */
    public Builder jdbcUrl(String url) {
      this.jdbcUrl = ConnectionSettings.checkedUrl(url);
      return this;
    }

    public Builder user(String user) {
      this.user = Objects.requireNonNull(user, "user");
      return this;
    }

    public Builder password(String password) {
      this.password = Objects.requireNonNull(password, "password");
      return this;
    }

    /**
     * Connections from the host's pool instead of a URL (it may be the one a
     * {@link PostgresConfigStore} uses); the host keeps owning it. Its wait for a free connection
     * is the host's to bound; each call still sets the connection's network timeout.
     */
    public Builder dataSource(DataSource dataSource) {
      this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
      return this;
    }

    /** Longest wait for the database's answer to one call; default 200 ms, from 10 ms to 60 s. */
    public Builder timeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.toMillis() < 10 || timeout.toMillis() > 60_000) {
        throw new IllegalArgumentException("timeout: " + timeout + " (expected: 10 ms to 60 s)");
      }
      this.timeout = timeout;
      return this;
    }

    /** How long opening a connection may take; the pool opens them in the background, never on a request's time. Default 5 s. */
    public Builder connectTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "connectTimeout");
      if (timeout.toMillis() < 1000) throw new IllegalArgumentException("connectTimeout: " + timeout + " (expected: at least 1 s)");
      this.connectTimeout = timeout;
      return this;
    }

    /** Most connections the state's own pool opens; default 8. */
    public Builder maxPoolSize(int size) {
      if (size < 1) throw new IllegalArgumentException("maxPoolSize: " + size + " (expected: >= 1)");
      this.maxPoolSize = size;
      return this;
    }

    /** Sessions kept past which {@link #sweep()} evicts the least recently used; default 1,000,000. */
    public Builder maxSessions(int sessions) {
      if (sessions < 1) throw new IllegalArgumentException("maxSessions: " + sessions + " (expected: >= 1)");
      this.maxSessions = sessions;
      return this;
    }

    /**
     * Connects and creates the tables if missing.
     *
     * @throws IllegalStateException naming the database when it cannot be reached or the tables cannot be created
     */
    public PostgresLiveState build() {
      if ((jdbcUrl == null) == (dataSource == null)) {
        throw new IllegalArgumentException("set exactly one of jdbcUrl and dataSource");
      }
      String location = jdbcUrl == null ? "the supplied DataSource" : ConnectionSettings.withoutParameters(jdbcUrl);
      HikariDataSource pool = null;
      try {
        pool = jdbcUrl == null ? null : pool();
        DataSource source = pool != null ? pool : dataSource;
        try (Connection c = source.getConnection()) {
          createTables(c);
        }
        return new PostgresLiveState(source, pool, location, timeout, maxSessions);
      } catch (SQLException | RuntimeException e) {
        if (pool != null) pool.close();
        throw new IllegalStateException("PostgreSQL live state: cannot open " + location
            + (user == null ? "" : " as user '" + user + "'") + ": " + ConnectFailures.message(e), e);
      }
    }

    private static void createTables(Connection c) throws SQLException {
      Transactions.run(c, tx -> {
        try (PreparedStatement lock = tx.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
          lock.setLong(1, SCHEMA_LOCK);
          lock.execute();
        }
        try (Statement s = tx.createStatement()) {
          for (String ddl : SCHEMA) s.execute(ddl);
        }
        return null;
      });
    }

    private HikariDataSource pool() {
      Properties settings = ConnectionSettings.driverSettings(user, password, connectTimeout, "ollamaflow-live");
      // The server gives up on a statement at the timeout too (a lock wait, a slow plan).
      settings.setProperty("options", "-c statement_timeout=" + timeout.toMillis());
      HikariConfig config = new HikariConfig();
      config.setPoolName("ollamaflow-live-state");
      config.setJdbcUrl(jdbcUrl);
      config.setDataSourceProperties(settings);
      config.setMaximumPoolSize(maxPoolSize);
      config.setMinimumIdle(maxPoolSize);
      // HikariCP's floor is 250 ms: the longest a request waits for a connection, checking an idle
      // one's liveness included (its default 5 s check would outlast a hung database's timeout).
      long waitMs = Math.max(250, timeout.toMillis());
      config.setConnectionTimeout(waitMs);
      config.setValidationTimeout(waitMs);
      return new HikariDataSource(config);
    }
  }
}
