package io.ollamaflow.postgres;

import java.sql.Connection;
import java.sql.SQLException;

/** Work in one transaction on a pooled connection, which goes back to the pool in auto-commit mode. */
final class Transactions {
  /** Work done inside a transaction. */
  @FunctionalInterface
  interface Work<T> {
    T run(Connection connection) throws SQLException;
  }

  private Transactions() {}

  /** Runs the work in one transaction: committed if it returns, rolled back if it throws. */
  static <T> T run(Connection connection, Work<T> work) throws SQLException {
    connection.setAutoCommit(false);
    T result;
    try {
      result = work.run(connection);
      connection.commit();
    } catch (SQLException | RuntimeException e) {
      try {
        connection.rollback();
        connection.setAutoCommit(true);
      } catch (SQLException rollback) {
        // Usually the connection itself broke; the pool discards it.
        e.addSuppressed(rollback);
      }
      throw e;
    }
    connection.setAutoCommit(true);
    return result;
  }
}
