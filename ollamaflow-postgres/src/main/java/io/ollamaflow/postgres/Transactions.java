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
    try {
      T result = work.run(connection);
      connection.commit();
      return result;
    } catch (SQLException | RuntimeException e) {
      try {
        connection.rollback();
      } catch (SQLException rollback) {
        e.addSuppressed(rollback);
      }
      throw e;
    } finally {
      connection.setAutoCommit(true);
    }
  }
}
