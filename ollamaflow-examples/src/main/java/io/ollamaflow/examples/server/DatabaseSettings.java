package io.ollamaflow.examples.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.ollamaflow.api.ConfigStore;
import io.ollamaflow.api.LiveState;
import io.ollamaflow.postgres.PostgresConfigStore;
import io.ollamaflow.postgres.PostgresLiveState;
import io.ollamaflow.sqlite.SqliteConfigStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The {@code Database} section of {@code ollamaflow.json}: which store keeps the configuration.
 * Absent, or {@code "Type": "Sqlite"}, means the SQLite file {@code DatabaseFilename}; {@code
 * "Type": "PostgreSQL"} means a database that several instances share, reached at {@code JdbcUrl}
 * as {@code User} with {@code Password} or the first line of {@code PasswordFile}. With
 * PostgreSQL the live state (sticky sessions, counters) is shared there too, unless
 * {@code ShareLiveState} is false; {@code LiveStateTimeoutMs} bounds each of its calls.
 */
final class DatabaseSettings {
  enum Type { SQLITE, POSTGRESQL }

  private static final SettingsKeys KEYS = SettingsKeys.of("Type", "JdbcUrl", "User", "Password", "PasswordFile", "ShareLiveState",
      "LiveStateTimeoutMs");

  final Type type;
  final String jdbcUrl;
  final String user;
  private final String password; // kept out of toString and messages
  private final boolean shareLiveState;
  private final Duration liveStateTimeout;

  private DatabaseSettings(Type type, String jdbcUrl, String user, String password, boolean shareLiveState,
      Duration liveStateTimeout) {
    this.type = type;
    this.jdbcUrl = jdbcUrl;
    this.user = user;
    this.password = password;
    this.shareLiveState = shareLiveState;
    this.liveStateTimeout = liveStateTimeout;
  }

  private static DatabaseSettings sqlite() {
    return new DatabaseSettings(Type.SQLITE, null, null, null, false, null);
  }

  /**
   * @param section the {@code Database} object, or null when the file has none
   * @throws IllegalArgumentException naming the key that is wrong, or the password file that cannot be read
   */
  static DatabaseSettings read(JsonNode section) {
    if (section == null) return sqlite();
    KEYS.check(section, "Database");
    String type = text(section, "Type");
    if (type == null || type.equalsIgnoreCase("Sqlite")) {
      for (String key : new String[] {"JdbcUrl", "User", "Password", "PasswordFile", "ShareLiveState", "LiveStateTimeoutMs"}) {
        if (ServerSettings.field(section, key) != null) {
          throw new IllegalArgumentException("Database." + key + ": set only with \"Type\": \"PostgreSQL\"");
        }
      }
      return sqlite();
    }
    if (!type.equalsIgnoreCase("PostgreSQL")) {
      throw new IllegalArgumentException("Database.Type: \"" + type + "\" (expected: Sqlite or PostgreSQL)");
    }
    String url = required(section, "JdbcUrl");
    if (!url.startsWith("jdbc:postgresql:")) {
      throw new IllegalArgumentException("Database.JdbcUrl: \"" + url.split("\\?", 2)[0]
          + "\" (expected: jdbc:postgresql://HOST:PORT/DATABASE)");
    }
    String user = required(section, "User");
    String password = text(section, "Password");
    String passwordFile = text(section, "PasswordFile");
    if (password != null && passwordFile != null) {
      throw new IllegalArgumentException("Database: set Password or PasswordFile, not both");
    }
    if (passwordFile != null) password = firstLine(Path.of(passwordFile));
    return new DatabaseSettings(Type.POSTGRESQL, url, user, password, shareLiveState(section), liveStateTimeout(section));
  }

  private static boolean shareLiveState(JsonNode section) {
    JsonNode value = ServerSettings.field(section, "ShareLiveState");
    if (value == null) return true;
    if (!value.isBoolean()) throw new IllegalArgumentException("Database.ShareLiveState: " + value + " (expected: true or false)");
    return value.booleanValue();
  }

  private static Duration liveStateTimeout(JsonNode section) {
    JsonNode value = ServerSettings.field(section, "LiveStateTimeoutMs");
    if (value == null) return PostgresLiveState.DEFAULT_TIMEOUT;
    if (!value.canConvertToInt() || !value.isIntegralNumber() || value.intValue() < 10 || value.intValue() > 60_000) {
      throw new IllegalArgumentException("Database.LiveStateTimeoutMs: " + value + " (expected: 10 to 60000)");
    }
    return Duration.ofMillis(value.intValue());
  }

  /**
   * Opens the store these settings name.
   *
   * @throws IllegalStateException when the database cannot be reached or its schema is newer than this code
   */
  ConfigStore open(String databaseFilename) {
    if (type == Type.SQLITE) return SqliteConfigStore.open(Path.of(databaseFilename));
    PostgresConfigStore.Builder builder = PostgresConfigStore.builder().jdbcUrl(jdbcUrl).user(user);
    if (password != null) builder.password(password);
    return builder.build();
  }

  /**
   * The shared live state these settings name: PostgreSQL's unless {@code ShareLiveState} is
   * false; empty means each instance keeps its own in memory.
   *
   * @throws IllegalStateException when the database cannot be reached
   */
  Optional<LiveState> openLiveState() {
    if (type != Type.POSTGRESQL || !shareLiveState) return Optional.empty();
    PostgresLiveState.Builder builder = PostgresLiveState.builder().jdbcUrl(jdbcUrl).user(user).timeout(liveStateTimeout);
    if (password != null) builder.password(password);
    return Optional.of(builder.build());
  }

  /** Where the configuration is, for the start-up log; never the password. */
  String describe(String databaseFilename) {
    return type == Type.SQLITE ? databaseFilename : jdbcUrl.split("\\?", 2)[0] + " as " + user;
  }

  private static String required(JsonNode section, String key) {
    String value = text(section, key);
    if (value == null) throw new IllegalArgumentException("Database." + key + ": missing (needed with \"Type\": \"PostgreSQL\")");
    return value;
  }

  private static String text(JsonNode section, String key) {
    JsonNode value = ServerSettings.field(section, key);
    if (value == null) return null;
    if (!value.isTextual() || value.textValue().isBlank()) {
      // The value itself is not echoed: it may be a password.
      throw new IllegalArgumentException("Database." + key + ": expected a non-empty string");
    }
    return value.textValue();
  }

  private static String firstLine(Path file) {
    try {
      String line = Files.readString(file, StandardCharsets.UTF_8).lines().findFirst().orElse("");
      if (line.isEmpty()) throw new IllegalArgumentException("Database.PasswordFile: " + file + " is empty");
      return line;
    } catch (IOException e) {
      throw new IllegalArgumentException("Database.PasswordFile: cannot read " + file + " ("
          + e.getClass().getSimpleName() + ")");
    }
  }
}
