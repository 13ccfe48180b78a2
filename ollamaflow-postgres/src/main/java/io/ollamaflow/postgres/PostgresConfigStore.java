package io.ollamaflow.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.ollamaflow.api.ApiKey;
import io.ollamaflow.api.ApiKeyUsage;
import io.ollamaflow.api.Backend;
import io.ollamaflow.api.ConfigStore;
import io.ollamaflow.api.Frontend;
import io.ollamaflow.api.StoreUnavailableException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;

/**
 * A {@link ConfigStore} in a PostgreSQL database, which several OllamaFlow instances share.
 *
 * <p>Opening: {@link #builder()} with a JDBC URL, user and password (the store keeps its own
 * HikariCP pool), or with a {@link DataSource} the host supplies and owns. Opening creates or
 * upgrades the schema (see {@code Schema}) and refuses a database whose schema is newer than this
 * code. Connection, login and socket timeouts are always set, so an unreachable database or one
 * that accepts connections and then says nothing fails with a message instead of hanging.
 *
 * <p>Writes: each is one transaction that changes the row, increments {@code meta.revision} and
 * sends {@code NOTIFY ollamaflow_config} with the new revision; PostgreSQL delivers it to every
 * instance's watch connection once the transaction commits. All SQL is parameterised.
 * API key usage is not configuration: a batch of increments is one transaction that leaves the
 * revision alone. API keys are kept as a prefix and a hash, never the secret.
 *
 * <p>Revision: {@link #revision()} answers from memory the last revision written here or heard
 * through {@code LISTEN} (see {@code RevisionWatch}), so polling it costs nothing and another
 * instance's write is known within milliseconds. {@link #onChange} lets a cluster reload at once
 * instead of at its next poll. The watch holds one connection of its own for the store's life.
 *
 * <p>Threading: thread-safe; calls run on pooled connections and may block up to the socket
 * timeout. {@link #close()} is idempotent and makes later calls throw {@link IllegalStateException}.
 *
 * <p>Errors: failures are thrown as {@link IllegalStateException} naming the operation, the
 * identifier and the database (its URL without parameters); {@link StoreUnavailableException}
 * when the database cannot be reached. Messages never contain passwords,
 * bearer tokens or header values: PostgreSQL's messages name tables and columns, not bound values.
 */
public final class PostgresConfigStore implements ConfigStore {
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
  public static final Duration DEFAULT_SOCKET_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_REVISION_POLL_INTERVAL = Duration.ofSeconds(5);
  public static final int DEFAULT_MAX_POOL_SIZE = 4;
  private final DataSource dataSource;
  private final HikariDataSource ownPool; // null when the host supplied the DataSource
  private final String location;
  private final RevisionWatch watch;
  private final AtomicBoolean closed = new AtomicBoolean();

  private PostgresConfigStore(DataSource dataSource, HikariDataSource ownPool, String location, RevisionWatch watch) {
    this.dataSource = dataSource;
    this.ownPool = ownPool;
    this.location = location;
    this.watch = watch;
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public List<Frontend> frontends() {
    return all(FrontendRows.TABLE);
  }

  @Override
  public Optional<Frontend> frontend(String identifier) {
    return one(FrontendRows.TABLE, identifier);
  }

  @Override
  public void putFrontend(Frontend frontend) {
    put(FrontendRows.TABLE, frontend);
  }

  @Override
  public boolean removeFrontend(String identifier) {
    return remove(FrontendRows.TABLE, identifier);
  }

  @Override
  public List<Backend> backends() {
    return all(BackendRows.TABLE);
  }

  @Override
  public Optional<Backend> backend(String identifier) {
    return one(BackendRows.TABLE, identifier);
  }

  @Override
  public void putBackend(Backend backend) {
    put(BackendRows.TABLE, backend);
  }

  @Override
  public boolean removeBackend(String identifier) {
    return remove(BackendRows.TABLE, identifier);
  }

  @Override
  public List<ApiKey> apiKeys() {
    return all(ApiKeyRows.TABLE);
  }

  @Override
  public Optional<ApiKey> apiKey(String identifier) {
    return one(ApiKeyRows.TABLE, identifier);
  }

  @Override
  public void putApiKey(ApiKey key) {
    put(ApiKeyRows.TABLE, key);
  }

  /** The key's usage goes with it (ON DELETE CASCADE). */
  @Override
  public boolean removeApiKey(String identifier) {
    return remove(ApiKeyRows.TABLE, identifier);
  }

  /** One transaction for the batch; usage is not configuration, so the revision is left alone. */
  @Override
  public void addApiKeyUsage(Collection<ApiKeyUsage> increments) {
    List<ApiKeyUsage> batch = List.copyOf(increments);
    if (batch.isEmpty()) return;
    write("add API key usage", null, c -> {
      try (PreparedStatement ps = c.prepareStatement(ApiKeyRows.ADD_USAGE)) {
        for (ApiKeyUsage increment : batch) {
          ApiKeyRows.bindUsage(ps, increment);
          ps.addBatch();
        }
        ps.executeBatch();
      }
      return false;
    });
  }

  @Override
  public List<ApiKeyUsage> apiKeyUsage() {
    return list("API key usage", ApiKeyRows.SELECT_USAGE, ApiKeyRows::readUsage);
  }

  /** The last revision written by this store or heard from another; no round trip to the database. */
  @Override
  public long revision() {
    requireOpen("revision", null);
    return watch.current();
  }

  /**
   * Runs {@code listener} whenever the store learns of a newer revision: on its watch thread for
   * other writers' changes, on the writing thread for this store's own.
   */
  @Override
  public Subscription onChange(Runnable listener) {
    Objects.requireNonNull(listener, "listener");
    Runnable unsubscribe = watch.subscribe(listener);
    return unsubscribe::run;
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) return;
    watch.close();
    if (ownPool != null) ownPool.close();
  }

  private <T> List<T> all(Table<T> table) {
    return list(table.kind() + "s", table.selectAll(), table.reader());
  }

  private <T> List<T> list(String operation, String sql, Table.RowReader<T> reader) {
    return call(operation, null, c -> {
      List<T> result = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
        while (rs.next()) result.add(reader.read(rs));
      }
      return List.copyOf(result);
    });
  }

  private <T> Optional<T> one(Table<T> table, String identifier) {
    Objects.requireNonNull(identifier, "identifier");
    return call(table.kind(), identifier, c -> {
      try (PreparedStatement ps = c.prepareStatement(table.selectOne())) {
        ps.setString(1, identifier);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? Optional.of(table.reader().read(rs)) : Optional.empty();
        }
      }
    });
  }

  private <T> void put(Table<T> table, T value) {
    Objects.requireNonNull(value, table.kind());
    write("put " + table.kind(), table.identifier().apply(value), c -> {
      try (PreparedStatement ps = c.prepareStatement(table.upsert())) {
        table.writer().bind(ps, value);
        ps.executeUpdate();
      }
      return true;
    });
  }

  /** A delete that finds nothing changes nothing, so it leaves the revision alone. */
  private <T> boolean remove(Table<T> table, String identifier) {
    Objects.requireNonNull(identifier, "identifier");
    return write("remove " + table.kind(), identifier, c -> {
      try (PreparedStatement ps = c.prepareStatement(table.delete())) {
        ps.setString(1, identifier);
        return ps.executeUpdate() > 0;
      }
    });
  }

  /** Runs a read on a pooled connection in auto-commit mode: one statement, one snapshot. */
  private <T> T call(String operation, String identifier, Transactions.Work<T> work) {
    requireOpen(operation, identifier);
    try (Connection c = dataSource.getConnection()) {
      return work.run(c);
    } catch (SQLException e) {
      throw failure(operation, identifier, e);
    }
  }

  /**
   * Runs a write in one transaction; when the work reports a change of configuration, the revision is bumped and
   * announced in the same transaction, so readers never see the data without its revision.
   */
  private boolean write(String operation, String identifier, Transactions.Work<Boolean> work) {
    OptionalLong written = call(operation, identifier, connection -> Transactions.run(connection,
        c -> work.run(c) ? OptionalLong.of(bumpRevision(c)) : OptionalLong.empty()));
    written.ifPresent(watch::advance);
    return written.isPresent();
  }

  private static long bumpRevision(Connection c) throws SQLException {
    long revision;
    try (PreparedStatement ps = c.prepareStatement("UPDATE meta SET revision = revision + 1 WHERE id = 1 RETURNING revision");
        ResultSet rs = ps.executeQuery()) {
      if (!rs.next()) throw new SQLException("table meta has no row");
      revision = rs.getLong(1);
    }
    RevisionWatch.announce(c, revision);
    return revision;
  }

  private void requireOpen(String operation, String identifier) {
    if (closed.get()) throw new IllegalStateException(describe(operation, identifier) + " failed: store is closed");
  }

  /** A database that cannot be reached is {@link StoreUnavailableException}: the admin API answers 503, not 500. */
  private IllegalStateException failure(String operation, String identifier, SQLException e) {
    String message = describe(operation, identifier) + " on " + location + " failed: " + ConnectFailures.message(e);
    return ConnectFailures.isUnavailable(e) ? new StoreUnavailableException(message, e)
        : new IllegalStateException(message, e);
  }

  private static String describe(String operation, String identifier) {
    return identifier == null ? "PostgreSQL: " + operation : "PostgreSQL: " + operation + " '" + identifier + "'";
  }

  /** Settings for {@link PostgresConfigStore}; {@link #build()} opens the store. */
  public static final class Builder {
    private String jdbcUrl;
    private String user;
    private String password;
    private DataSource dataSource;
    private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
    private Duration socketTimeout = DEFAULT_SOCKET_TIMEOUT;
    private Duration revisionPollInterval = DEFAULT_REVISION_POLL_INTERVAL;
    private int maxPoolSize = DEFAULT_MAX_POOL_SIZE;

    private Builder() {}

    /** A URL such as {@code jdbc:postgresql://db.internal:5432/ollamaflow}; the store pools its own connections. */
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
     * Connections from the host's own pool instead of a URL. The host keeps owning it:
     * {@link PostgresConfigStore#close()} leaves it open. The store holds one of its connections
     * for as long as it is open, to listen for changes; the connections must unwrap to
     * {@code org.postgresql.PGConnection}, and their timeouts are the host's to set.
     */
    public Builder dataSource(DataSource dataSource) {
      this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
      return this;
    }

    /** How long connecting and logging in may take (and a pooled connection may be waited for); default 5 s. */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = atLeastOneSecond("connectTimeout", timeout);
      return this;
    }

    /** How long one statement may wait for the database's answer; default 10 s. */
    public Builder socketTimeout(Duration timeout) {
      this.socketTimeout = atLeastOneSecond("socketTimeout", timeout);
      return this;
    }

    /**
     * How often the revision is read even though no notification came: the safety net for a
     * connection that died silently, and the longest wait between reconnection attempts; default 5 s.
     */
    public Builder revisionPollInterval(Duration interval) {
      Objects.requireNonNull(interval, "revisionPollInterval");
      if (interval.toMillis() < 100 || interval.toMillis() > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("revisionPollInterval: " + interval + " (expected: at least 100 ms)");
      }
      this.revisionPollInterval = interval;
      return this;
    }

    /** Most connections the store's own pool opens; default 4. The watch's connection is one more. */
    public Builder maxPoolSize(int size) {
      if (size < 1) throw new IllegalArgumentException("maxPoolSize: " + size + " (expected: >= 1)");
      this.maxPoolSize = size;
      return this;
    }

    /**
     * Connects, creates or upgrades the schema and starts listening for changes.
     *
     * @throws IllegalStateException naming the database when it cannot be reached or logged in
     *     to, or when its schema is newer than this code
     */
    public PostgresConfigStore build() {
      if ((jdbcUrl == null) == (dataSource == null)) {
        throw new IllegalArgumentException("set exactly one of jdbcUrl and dataSource");
      }
      String location = jdbcUrl == null ? "the supplied DataSource" : ConnectionSettings.withoutParameters(jdbcUrl);
      HikariDataSource pool = null;
      try {
        Properties driverSettings = driverSettings();
        pool = jdbcUrl == null ? null : pool(driverSettings);
        DataSource source = pool != null ? pool : dataSource;
        long revision;
        try (Connection c = source.getConnection()) {
          Schema.migrate(c, location);
          revision = RevisionWatch.read(c);
        }
        RevisionWatch.ConnectionSource watchConnections = pool == null ? dataSource::getConnection
            : () -> DriverManager.getConnection(jdbcUrl, driverSettings);
        RevisionWatch watch = new RevisionWatch(watchConnections, revisionPollInterval, location, revision);
        return new PostgresConfigStore(source, pool, location, watch);
      } catch (SQLException e) {
        if (pool != null) pool.close();
        throw new IllegalStateException("PostgreSQL: cannot open " + location + as() + ": " + ConnectFailures.message(e), e);
      } catch (RuntimeException e) {
        if (pool != null) pool.close();
        if (ConnectFailures.isPoolStart(e)) {
          throw new IllegalStateException("PostgreSQL: cannot connect to " + location + as() + ": "
              + ConnectFailures.message(e), e);
        }
        throw e;
      }
    }

    private String as() {
      return user == null ? "" : " as user '" + user + "'";
    }

    /** pgjdbc's settings for the pool's connections and the watch's: credentials and timeouts. */
    private Properties driverSettings() {
      Properties settings = ConnectionSettings.driverSettings(user, password, connectTimeout, "ollamaflow");
      settings.setProperty("socketTimeout", ConnectionSettings.seconds(socketTimeout));
      return settings;
    }

    private HikariDataSource pool(Properties driverSettings) {
      HikariConfig config = new HikariConfig();
      config.setPoolName("ollamaflow-postgres");
      config.setJdbcUrl(jdbcUrl);
      config.setDataSourceProperties(driverSettings);
      config.setMaximumPoolSize(maxPoolSize);
      config.setMinimumIdle(1);
      config.setConnectionTimeout(connectTimeout.toMillis());
      return new HikariDataSource(config);
    }

    private static Duration atLeastOneSecond(String name, Duration value) {
      Objects.requireNonNull(value, name);
      if (value.toMillis() < 1000) throw new IllegalArgumentException(name + ": " + value + " (expected: at least 1 s)");
      return value;
    }
  }
}
