package io.ollamaflow.postgres;

import java.time.Duration;
import java.util.Objects;
import java.util.Properties;

/** What the store and the live state both need to reach PostgreSQL by URL: the URL's check and pgjdbc's settings. */
final class ConnectionSettings {
  private static final String URL_PREFIX = "jdbc:postgresql:";

  private ConnectionSettings() {}

  /** @throws IllegalArgumentException naming the URL, without its parameters (they may hold a password) */
  static String checkedUrl(String url) {
    Objects.requireNonNull(url, "jdbcUrl");
    if (!url.startsWith(URL_PREFIX)) {
      throw new IllegalArgumentException("jdbcUrl: \"" + withoutParameters(url) + "\" (expected: " + URL_PREFIX
          + "//HOST:PORT/DATABASE)");
    }
    return url;
  }

  /** The URL as logs and errors may show it: parameters (a password among them, perhaps) left out. */
  static String withoutParameters(String url) {
    return url.split("\\?", 2)[0];
  }

  /** Credentials, connect and login timeouts (whole seconds, as pgjdbc takes them), keep-alive and the name shown in pg_stat_activity. */
  static Properties driverSettings(String user, String password, Duration connectTimeout, String applicationName) {
    Properties settings = new Properties();
    if (user != null) settings.setProperty("user", user);
    if (password != null) settings.setProperty("password", password);
    settings.setProperty("connectTimeout", seconds(connectTimeout));
    settings.setProperty("loginTimeout", seconds(connectTimeout));
    settings.setProperty("tcpKeepAlive", "true");
    settings.setProperty("ApplicationName", applicationName);
    return settings;
  }

  static String seconds(Duration d) {
    return Long.toString(Math.max(1, (d.toMillis() + 999) / 1000));
  }
}
