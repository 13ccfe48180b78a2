package io.ollamaflow.sqlite;

import io.ollamaflow.api.ApiKey;
import io.ollamaflow.api.ApiKeyUsage;
import io.ollamaflow.api.Backend;
import io.ollamaflow.api.ConfigStore;
import io.ollamaflow.api.Frontend;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import org.sqlite.SQLiteConfig;

/**
 * A {@link ConfigStore} in one SQLite file, which several processes may share. API keys are kept
 * as a prefix and a hash; their usage totals are added in one transaction per batch.
 *
 * <p>Durability: the file is in WAL journal mode with {@code synchronous=FULL}, so a write that
 * has returned survives a crash of the process or of the machine. Every write is one
 * {@code BEGIN IMMEDIATE} transaction; a writer blocked by another process waits up to
 * ten seconds ({@code BUSY_TIMEOUT_MS}) before failing.
 *
 * <p>Revision: a one-row table {@code meta(revision)} is incremented inside every write
 * transaction that changes configuration (not API key usage), and {@link #revision()} reads it. Writes by other
 * processes and connections therefore change it too; reading it is a one-row query.
 *
 * <p>Threading: thread-safe. Each store holds one JDBC connection, and a lock serialises every
 * call on it, reads included. Configuration is small and rarely written, so a pool would add
 * nothing but the chance of a connection seeing a different snapshot. A call may block on disk
 * and on other processes' writes. {@link #close()} waits for a running call, is idempotent, and
 * makes later calls throw {@link IllegalStateException}.
 *
 * <p>Errors: SQLite failures are thrown as {@link IllegalStateException} naming the operation
 * and the identifier. Messages never contain bearer tokens or header values.
 */
public final class SqliteConfigStore implements ConfigStore {
  /** How long a write waits for another connection's write lock. */
  static final int BUSY_TIMEOUT_MS = 10_000;
  private static final String URL_PREFIX = "jdbc:sqlite:";

  // A ReentrantLock rather than synchronized: the holder blocks on disk I/O, which pins a
  // virtual thread's carrier inside synchronized on Java 21.
  private final ReentrantLock lock = new ReentrantLock();
  private Connection connection; // null once closed; guarded by lock

  private SqliteConfigStore(Connection connection) {
    this.connection = connection;
  }

  /** Opens the store in this file, creating the file, its parent directories and the schema if missing. */
  public static SqliteConfigStore open(Path file) {
    Objects.requireNonNull(file, "file");
    Path absolute = file.toAbsolutePath();
    Path parent = absolute.getParent();
    try {
      if (parent != null) Files.createDirectories(parent);
    } catch (IOException e) {
      throw new UncheckedIOException("SQLite: cannot create directory " + parent, e);
    }
    return open(URL_PREFIX + absolute);
  }

  /**
   * Opens the store at a sqlite-jdbc URL such as {@code jdbc:sqlite:/var/lib/ollamaflow/config.db},
   * creating or upgrading the schema.
   *
   * @throws IllegalStateException if the database cannot be opened or was written by a newer version
   */
  public static SqliteConfigStore open(String jdbcUrl) {
    Objects.requireNonNull(jdbcUrl, "jdbcUrl");
    if (!jdbcUrl.startsWith(URL_PREFIX)) {
      throw new IllegalArgumentException("jdbcUrl: \"" + jdbcUrl + "\" (expected: " + URL_PREFIX + "...)");
    }
    // URL parameters after '?' may carry settings such as keys; keep them out of messages.
    String location = jdbcUrl.split("\\?", 2)[0].substring(URL_PREFIX.length());
    Connection connection = null;
    try {
      connection = settings().createConnection(jdbcUrl);
      Schema.migrate(connection, location);
      return new SqliteConfigStore(connection);
    } catch (SQLException e) {
      closeQuietly(connection, e);
      throw new IllegalStateException("SQLite: open '" + location + "' failed: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      closeQuietly(connection, e);
      throw e;
    }
  }

  private static SQLiteConfig settings() {
    SQLiteConfig config = new SQLiteConfig();
    config.setBusyTimeout(BUSY_TIMEOUT_MS);
    config.setJournalMode(SQLiteConfig.JournalMode.WAL);
    config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
    return config;
  }

  @Override
  public List<Frontend> frontends() {
    return read("frontends", null, c -> list(c, FrontendRows.SELECT_ALL, FrontendRows::read));
  }

  @Override
  public Optional<Frontend> frontend(String identifier) {
    Objects.requireNonNull(identifier, "identifier");
    return read("frontend", identifier, c -> one(c, FrontendRows.SELECT_ONE, identifier, FrontendRows::read));
  }

  @Override
  public void putFrontend(Frontend frontend) {
    Objects.requireNonNull(frontend, "frontend");
    write("putFrontend", frontend.identifier(), c -> upsert(c, FrontendRows.UPSERT, FrontendRows::bind, frontend));
  }

  @Override
  public boolean removeFrontend(String identifier) {
    Objects.requireNonNull(identifier, "identifier");
    return write("removeFrontend", identifier, c -> delete(c, FrontendRows.DELETE, identifier));
  }

  @Override
  public List<Backend> backends() {
    return read("backends", null, c -> list(c, BackendRows.SELECT_ALL, BackendRows::read));
  }

  @Override
  public Optional<Backend> backend(String identifier) {
    Objects.requireNonNull(identifier, "identifier");
    return read("backend", identifier, c -> one(c, BackendRows.SELECT_ONE, identifier, BackendRows::read));
  }

  @Override
  public void putBackend(Backend backend) {
    Objects.requireNonNull(backend, "backend");
    write("putBackend", backend.identifier(), c -> upsert(c, BackendRows.UPSERT, BackendRows::bind, backend));
  }

  @Override
  public boolean removeBackend(String identifier) {
    Objects.requireNonNull(identifier, "identifier");
    return write("removeBackend", identifier, c -> delete(c, BackendRows.DELETE, identifier));
  }

  @Override
  public List<ApiKey> apiKeys() {
    return read("apiKeys", null, c -> list(c, ApiKeyRows.SELECT_ALL, ApiKeyRows::read));
  }

  @Override
  public Optional<ApiKey> apiKey(String identifier) {
    Objects.requireNonNull(identifier, "identifier");
    return read("apiKey", identifier, c -> one(c, ApiKeyRows.SELECT_ONE, identifier, ApiKeyRows::read));
  }

  @Override
  public void putApiKey(ApiKey key) {
    Objects.requireNonNull(key, "key");
    write("putApiKey", key.identifier(), c -> upsert(c, ApiKeyRows.UPSERT, ApiKeyRows::bind, key));
  }

  @Override
  public boolean removeApiKey(String identifier) {
    Objects.requireNonNull(identifier, "identifier");
    return write("removeApiKey", identifier, c -> {
      delete(c, ApiKeyRows.DELETE_USAGE, identifier);
      return delete(c, ApiKeyRows.DELETE, identifier);
    });
  }

  /** One transaction for the batch; usage is not configuration, so the revision is left alone. */
  @Override
  public void addApiKeyUsage(Collection<ApiKeyUsage> increments) {
    List<ApiKeyUsage> batch = List.copyOf(increments);
    if (batch.isEmpty()) return;
    write("addApiKeyUsage", null, c -> {
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
    return read("apiKeyUsage", null, c -> list(c, ApiKeyRows.SELECT_USAGE, ApiKeyRows::readUsage));
  }

  @Override
  public long revision() {
    return read("revision", null, c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT revision FROM meta WHERE id = 1");
          ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) throw new SQLException("table meta has no row");
        return rs.getLong(1);
      }
    });
  }

  @Override
  public void close() {
    lock.lock();
    try {
      if (connection == null) return;
      Connection closing = connection;
      connection = null;
      closing.close();
    } catch (SQLException e) {
      throw new IllegalStateException("SQLite: close failed: " + e.getMessage(), e);
    } finally {
      lock.unlock();
    }
  }

  /** A row mapper that may throw SQLException. */
  @FunctionalInterface
  private interface RowReader<T> {
    T read(ResultSet rs) throws SQLException;
  }

  /** Fills a statement's parameters from an object; may throw SQLException. */
  @FunctionalInterface
  private interface RowWriter<T> {
    void bind(PreparedStatement ps, T value) throws SQLException;
  }

  private static <T> boolean upsert(Connection c, String sql, RowWriter<T> writer, T value) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      writer.bind(ps, value);
      ps.executeUpdate();
    }
    return true;
  }

  private static <T> List<T> list(Connection c, String sql, RowReader<T> reader) throws SQLException {
    List<T> result = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
      while (rs.next()) result.add(reader.read(rs));
    }
    return List.copyOf(result);
  }

  private static <T> Optional<T> one(Connection c, String sql, String identifier, RowReader<T> reader)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, identifier);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(reader.read(rs)) : Optional.empty();
      }
    }
  }

  /** Deletes by identifier; a delete that finds nothing changes nothing, so it leaves the revision alone. */
  private static boolean delete(Connection c, String sql, String identifier) throws SQLException {
    int deleted;
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, identifier);
      deleted = ps.executeUpdate();
    }
    return deleted > 0;
  }

  /** Runs a read on the shared connection; SQLite makes each statement see one committed snapshot. */
  private <T> T read(String operation, String identifier, Transactions.Work<T> work) {
    lock.lock();
    try {
      return work.run(requireOpen(operation, identifier));
    } catch (SQLException e) {
      throw failure(operation, identifier, e);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Runs a write in one transaction; the revision is bumped in the same transaction when the work
   * reports a change of configuration.
   */
  private boolean write(String operation, String identifier, Transactions.Work<Boolean> work) {
    lock.lock();
    try {
      return Transactions.immediate(requireOpen(operation, identifier), c -> {
        boolean changed = work.run(c);
        if (changed) {
          try (PreparedStatement ps = c.prepareStatement("UPDATE meta SET revision = revision + 1 WHERE id = 1")) {
            ps.executeUpdate();
          }
        }
        return changed;
      });
    } catch (SQLException e) {
      throw failure(operation, identifier, e);
    } finally {
      lock.unlock();
    }
  }

  private Connection requireOpen(String operation, String identifier) {
    if (connection == null) {
      throw new IllegalStateException(describe(operation, identifier) + " failed: store is closed");
    }
    return connection;
  }

  private static IllegalStateException failure(String operation, String identifier, SQLException e) {
    // SQLite's messages name tables and columns, never bound values, so they cannot leak secrets.
    return new IllegalStateException(describe(operation, identifier) + " failed: " + e.getMessage(), e);
  }

  private static String describe(String operation, String identifier) {
    return identifier == null ? "SQLite: " + operation : "SQLite: " + operation + " '" + identifier + "'";
  }

  private static void closeQuietly(Connection connection, Exception cause) {
    if (connection == null) return;
    try {
      connection.close();
    } catch (SQLException e) {
      cause.addSuppressed(e);
    }
  }
}
