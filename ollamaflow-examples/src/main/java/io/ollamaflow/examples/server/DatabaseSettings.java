package io.ollamaflow.examples.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.ollamaflow.api.ConfigStore;
import io.ollamaflow.postgres.PostgresConfigStore;
import io.ollamaflow.sqlite.SqliteConfigStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The {@code Database} section of {@code ollamaflow.json}: which store keeps the configuration.
 * Absent, or {@code "Type": "Sqlite"}, means the SQLite file {@code DatabaseFilename}; {@code
 * "Type": "PostgreSQL"} means a database that several instances share, reached at {@code JdbcUrl}
 * as {@code User} with {@code Password} or the first line of {@code PasswordFile}.
 */
final class DatabaseSettings {
  enum Type { SQLITE, POSTGRESQL }

  private static final SettingsKeys KEYS = SettingsKeys.of("Type", "JdbcUrl", "User", "Password", "PasswordFile");

  final Type type;
  final String jdbcUrl;
  final String user;
  private final String password; // kept out of toString and messages

  private DatabaseSettings(Type type, String jdbcUrl, String user, String password) {
    this.type = type;
    this.jdbcUrl = jdbcUrl;
    this.user = user;
    this.password = password;
  }

  /**
   * @param section the {@code Database} object, or null when the file has none
   * @throws IllegalArgumentException naming the key that is wrong, or the password file that cannot be read
   */
  static DatabaseSettings read(JsonNode section) {
    if (section == null) return new DatabaseSettings(Type.SQLITE, null, null, null);
    KEYS.check(section, "Database");
    String type = text(section, "Type");
    if (type == null || type.equalsIgnoreCase("Sqlite")) {
      for (String key : new String[] {"JdbcUrl", "User", "Password", "PasswordFile"}) {
        if (text(section, key) != null) {
          throw new IllegalArgumentException("Database." + key + ": set only with \"Type\": \"PostgreSQL\"");
        }
      }
      return new DatabaseSettings(Type.SQLITE, null, null, null);
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
    return new DatabaseSettings(Type.POSTGRESQL, url, user, password);
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
