package io.ollamaflow.sqlite;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Write transactions on a connection left in JDBC auto-commit mode.
 *
 * <p>{@code BEGIN IMMEDIATE} takes the file's write lock up front (waiting up to the busy
 * timeout), so two processes never both read inside a transaction and then fail to upgrade to
 * writing. The statements are issued explicitly because sqlite-jdbc's {@code commit()} opens the
 * next transaction at once, which would hold the write lock between our writes.
 */
final class Transactions {
  /** Work done inside a transaction. */
  @FunctionalInterface
  interface Work<T> {
    T run(Connection connection) throws SQLException;
  }

  private Transactions() {}

  /** Runs the work in one write transaction: committed if it returns, rolled back if it throws. */
  static <T> T immediate(Connection connection, Work<T> work) throws SQLException {
    execute(connection, "BEGIN IMMEDIATE");
    try {
      T result = work.run(connection);
      execute(connection, "COMMIT");
      return result;
    } catch (SQLException | RuntimeException e) {
      rollback(connection, e);
      throw e;
    }
  }

  private static void rollback(Connection connection, Exception cause) {
    try {
      execute(connection, "ROLLBACK");
    } catch (SQLException e) {
      // Usually "no transaction is active": SQLite already rolled back after the failure.
      cause.addSuppressed(e);
    }
  }

  private static void execute(Connection connection, String sql) throws SQLException {
    try (Statement s = connection.createStatement()) {
      s.execute(sql);
    }
  }
}
