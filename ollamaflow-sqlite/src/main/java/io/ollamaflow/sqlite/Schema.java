package io.ollamaflow.sqlite;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * Creates and upgrades the schema. {@code PRAGMA user_version} holds the number of the last
 * migration applied; migrations only go forward, and a file written by newer code is refused
 * rather than guessed at.
 */
final class Schema {
  /** The schema version this code reads and writes. */
  static final int VERSION = 4;

  /** Entry i upgrades version i to version i + 1. Never edit a released entry; append a new one. */
  private static final List<List<String>> MIGRATIONS = List.of(List.of(
      """
      CREATE TABLE frontends (
        identifier TEXT NOT NULL PRIMARY KEY,
        name TEXT,
        hostname TEXT NOT NULL,
        timeoutms INTEGER NOT NULL,
        loadbalancing TEXT NOT NULL,
        blockhttp10 INTEGER NOT NULL,
        maxrequestbodysize INTEGER NOT NULL,
        backends TEXT NOT NULL,
        requiredmodels TEXT NOT NULL,
        logrequestfull INTEGER NOT NULL,
        logrequestbody INTEGER NOT NULL,
        logresponsebody INTEGER NOT NULL,
        usestickysessions INTEGER NOT NULL,
        stickysessionexpirationms INTEGER NOT NULL,
        pinnedembeddingsprops TEXT NOT NULL,
        pinnedcompletionsprops TEXT NOT NULL,
        allowembeddings INTEGER NOT NULL,
        allowcompletions INTEGER NOT NULL,
        allowretries INTEGER NOT NULL,
        active INTEGER NOT NULL,
        createdutc TEXT NOT NULL,
        lastupdateutc TEXT NOT NULL
      )""",
      // ratelimitthreshold keeps OllamaFlow's column name for the RateLimitRequestsThreshold field.
      """
      CREATE TABLE backends (
        identifier TEXT NOT NULL PRIMARY KEY,
        name TEXT,
        hostname TEXT NOT NULL,
        port INTEGER NOT NULL,
        ssl INTEGER NOT NULL,
        unhealthythreshold INTEGER NOT NULL,
        healthythreshold INTEGER NOT NULL,
        healthcheckmethod TEXT NOT NULL,
        healthcheckurl TEXT NOT NULL,
        maxparallelrequests INTEGER NOT NULL,
        ratelimitthreshold INTEGER NOT NULL,
        logrequestfull INTEGER NOT NULL,
        logrequestbody INTEGER NOT NULL,
        logresponsebody INTEGER NOT NULL,
        apiformat TEXT NOT NULL,
        labels TEXT NOT NULL,
        pinnedembeddingsprops TEXT NOT NULL,
        pinnedcompletionsprops TEXT NOT NULL,
        allowembeddings INTEGER NOT NULL,
        allowcompletions INTEGER NOT NULL,
        bearertoken TEXT,
        querystring TEXT,
        headers TEXT NOT NULL,
        active INTEGER NOT NULL,
        createdutc TEXT NOT NULL,
        lastupdateutc TEXT NOT NULL
      )""",
      // One row; every write transaction increments it, so any connection can tell that the data changed.
      "CREATE TABLE meta (id INTEGER NOT NULL PRIMARY KEY CHECK (id = 1), revision INTEGER NOT NULL)",
      "INSERT INTO meta (id, revision) VALUES (1, 0)"),
      // Version 2: the gollamas-style model settings of a frontend; existing rows get the defaults.
      List.of(
          "ALTER TABLE frontends ADD COLUMN modelaliases TEXT NOT NULL DEFAULT '{}'",
          "ALTER TABLE frontends ADD COLUMN listconfiguredmodelsonly INTEGER NOT NULL DEFAULT 0",
          "ALTER TABLE frontends ADD COLUMN preloadmodels TEXT NOT NULL DEFAULT '[]'",
          "ALTER TABLE frontends ADD COLUMN keepmodelsloaded INTEGER NOT NULL DEFAULT 0",
          "ALTER TABLE frontends ADD COLUMN defaultembeddingsprops TEXT NOT NULL DEFAULT '{}'",
          "ALTER TABLE frontends ADD COLUMN defaultcompletionsprops TEXT NOT NULL DEFAULT '{}'"),
      // Version 3: a backend's Weight; existing rows get the default of 1.
      List.of("ALTER TABLE backends ADD COLUMN weight INTEGER NOT NULL DEFAULT 1"),
      // Version 4: API keys (a prefix and the SHA-256 of the secret, never the secret), their usage
      // totals, and whether a frontend requires a key; existing frontends do not.
      List.of(
          "ALTER TABLE frontends ADD COLUMN requireapikey INTEGER NOT NULL DEFAULT 0",
          """
          CREATE TABLE apikeys (
            identifier TEXT NOT NULL PRIMARY KEY,
            name TEXT,
            keyprefix TEXT NOT NULL,
            keyhash TEXT NOT NULL,
            frontends TEXT NOT NULL,
            models TEXT NOT NULL,
            requestsperminute INTEGER NOT NULL,
            tokensperminute INTEGER NOT NULL,
            maxconcurrentrequests INTEGER NOT NULL,
            expiresutc TEXT,
            active INTEGER NOT NULL,
            createdutc TEXT NOT NULL,
            lastupdateutc TEXT NOT NULL
          )""",
          // Not configuration: written in batches that leave meta.revision alone.
          """
          CREATE TABLE apikeyusage (
            identifier TEXT NOT NULL PRIMARY KEY,
            requests INTEGER NOT NULL,
            prompttokens INTEGER NOT NULL,
            completiontokens INTEGER NOT NULL,
            refusals INTEGER NOT NULL,
            lastusedutc TEXT
          )"""));

  private Schema() {}

  /** The statements that upgrade {@code version} to {@code version + 1}; tests use them to build old files. */
  static List<String> migration(int version) {
    return MIGRATIONS.get(version);
  }

  /**
   * Brings the database to {@link #VERSION}.
   *
   * @param location the file, for messages
   * @throws IllegalStateException if the database was written by a newer schema version
   */
  static void migrate(Connection connection, String location) throws SQLException {
    // Checked outside a transaction so that opening an up-to-date file never waits for the write lock.
    if (userVersion(connection, location) == VERSION) return;
    Transactions.immediate(connection, c -> {
      // Read again under the write lock: another process may have migrated meanwhile.
      int current = userVersion(c, location);
      try (Statement s = c.createStatement()) {
        for (int version = current; version < VERSION; version++) {
          for (String ddl : MIGRATIONS.get(version)) s.execute(ddl);
        }
        // PRAGMA takes no bound parameters; VERSION is a constant of this class.
        s.execute("PRAGMA user_version = " + VERSION);
      }
      return null;
    });
  }

  private static int userVersion(Connection connection, String location) throws SQLException {
    int version;
    try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("PRAGMA user_version")) {
      rs.next();
      version = rs.getInt(1);
    }
    if (version > VERSION) {
      throw new IllegalStateException("SQLite: " + location + " has schema version " + version
          + ", newer than the version " + VERSION + " this ollamaflow-sqlite understands; use a newer release");
    }
    return version;
  }
}
