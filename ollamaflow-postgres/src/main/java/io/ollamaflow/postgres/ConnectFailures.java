package io.ollamaflow.postgres;

import com.zaxxer.hikari.pool.HikariPool;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;

/** Turns a failure to reach or use the database into one line that says what happened. */
final class ConnectFailures {
  private ConnectFailures() {}

  /** True for HikariCP's "the pool could not open its first connection". */
  static boolean isPoolStart(RuntimeException e) {
    return e instanceof HikariPool.PoolInitializationException;
  }

  /**
   * True when the database could not be reached or used for a while, as opposed to a statement it
   * refused: no pooled connection in time, a connection refused, lost or timed out (SQLSTATE class
   * 08), the server shutting down or starting up (57P01-57P03), too many connections (53300).
   */
  static boolean isUnavailable(SQLException e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof SQLTransientConnectionException || t instanceof SQLNonTransientConnectionException) return true;
      if (t instanceof SQLException sql && sql.getSQLState() != null) {
        String state = sql.getSQLState();
        if (state.startsWith("08") || state.startsWith("57P") || state.equals("53300")) return true;
      }
    }
    return false;
  }

  /**
   * The driver's own words (they name the host, port and user, never the password), followed by
   * the network cause when there is one, such as a timeout.
   */
  static String message(Throwable e) {
    Throwable driver = e;
    while (driver instanceof HikariPool.PoolInitializationException && driver.getCause() != null) {
      driver = driver.getCause();
    }
    String message = driver.getMessage() == null ? driver.getClass().getSimpleName() : driver.getMessage();
    Throwable root = driver;
    while (root.getCause() != null && root.getCause() != root) root = root.getCause();
    if (root != driver && root.getMessage() != null && !message.contains(root.getMessage())) {
      message += " (" + root.getClass().getSimpleName() + ": " + root.getMessage() + ")";
    }
    return message;
  }
}
