package io.ollamaflow.postgres;

import com.zaxxer.hikari.pool.HikariPool;

/** Turns a failure to reach or use the database into one line that says what happened. */
final class ConnectFailures {
  private ConnectFailures() {}

  /** True for HikariCP's "the pool could not open its first connection". */
  static boolean isPoolStart(RuntimeException e) {
    return e instanceof HikariPool.PoolInitializationException;
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
