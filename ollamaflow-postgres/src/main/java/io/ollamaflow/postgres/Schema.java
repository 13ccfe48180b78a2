package io.ollamaflow.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * Creates and upgrades the schema in the connection's current schema (its {@code search_path}).
 * Table {@code schema_version} holds the number of the last migration applied; migrations only go
 * forward, and a database written by newer code is refused rather than guessed at.
 *
 * <p>The versions follow ollamaflow-sqlite's, so one number means the same columns in both stores.
 * A migration runs in one transaction (PostgreSQL's DDL is transactional: a failed upgrade leaves
 * the old schema whole) under a transaction-scoped advisory lock, so two instances starting at
 * the same moment take turns and the second finds the work done.
 */
final class Schema {
  /** The schema version this code reads and writes. */
  static final int VERSION = 4;

  /** Key of the advisory lock that serialises migrations in one database ("ollamafl" in ASCII). */
  static final long MIGRATION_LOCK = 0x6f6c6c616d61666cL;

  /** Entry i upgrades version i to version i + 1. Never edit a released entry; append a new one. */
  private static final List<List<String>> MIGRATIONS = List.of(List.of(
      """
      CREATE TABLE frontends (
        identifier TEXT NOT NULL PRIMARY KEY,
        name TEXT,
        hostname TEXT NOT NULL,
        timeoutms INTEGER NOT NULL,
        loadbalancing TEXT NOT NULL,
        blockhttp10 BOOLEAN NOT NULL,
        maxrequestbodysize BIGINT NOT NULL,
        backends JSONB NOT NULL,
        requiredmodels JSONB NOT NULL,
        logrequestfull BOOLEAN NOT NULL,
        logrequestbody BOOLEAN NOT NULL,
        logresponsebody BOOLEAN NOT NULL,
        usestickysessions BOOLEAN NOT NULL,
        stickysessionexpirationms INTEGER NOT NULL,
        pinnedembeddingsprops JSONB NOT NULL,
        pinnedcompletionsprops JSONB NOT NULL,
        allowembeddings BOOLEAN NOT NULL,
        allowcompletions BOOLEAN NOT NULL,
        allowretries BOOLEAN NOT NULL,
        active BOOLEAN NOT NULL,
        createdutc TIMESTAMPTZ NOT NULL,
        lastupdateutc TIMESTAMPTZ NOT NULL
      )""",
      // ratelimitthreshold keeps OllamaFlow's column name for the RateLimitRequestsThreshold field.
      """
      CREATE TABLE backends (
        identifier TEXT NOT NULL PRIMARY KEY,
        name TEXT,
        hostname TEXT NOT NULL,
        port INTEGER NOT NULL,
        ssl BOOLEAN NOT NULL,
        unhealthythreshold INTEGER NOT NULL,
        healthythreshold INTEGER NOT NULL,
        healthcheckmethod TEXT NOT NULL,
        healthcheckurl TEXT NOT NULL,
        maxparallelrequests INTEGER NOT NULL,
        ratelimitthreshold INTEGER NOT NULL,
        logrequestfull BOOLEAN NOT NULL,
        logrequestbody BOOLEAN NOT NULL,
        logresponsebody BOOLEAN NOT NULL,
        apiformat TEXT NOT NULL,
        labels JSONB NOT NULL,
        pinnedembeddingsprops JSONB NOT NULL,
        pinnedcompletionsprops JSONB NOT NULL,
        allowembeddings BOOLEAN NOT NULL,
        allowcompletions BOOLEAN NOT NULL,
        bearertoken TEXT,
        querystring TEXT,
        headers JSONB NOT NULL,
        active BOOLEAN NOT NULL,
        createdutc TIMESTAMPTZ NOT NULL,
        lastupdateutc TIMESTAMPTZ NOT NULL
      )""",
      // One row; every write transaction increments it and announces the new value (RevisionWatch).
      "CREATE TABLE meta (id INTEGER NOT NULL PRIMARY KEY CHECK (id = 1), revision BIGINT NOT NULL)",
      "INSERT INTO meta (id, revision) VALUES (1, 0)"),
      // Version 2: the gollamas-style model settings of a frontend; existing rows get the defaults.
      List.of(
          "ALTER TABLE frontends ADD COLUMN modelaliases JSONB NOT NULL DEFAULT '{}'",
          "ALTER TABLE frontends ADD COLUMN listconfiguredmodelsonly BOOLEAN NOT NULL DEFAULT FALSE",
          "ALTER TABLE frontends ADD COLUMN preloadmodels JSONB NOT NULL DEFAULT '[]'",
          "ALTER TABLE frontends ADD COLUMN keepmodelsloaded BOOLEAN NOT NULL DEFAULT FALSE",
          "ALTER TABLE frontends ADD COLUMN defaultembeddingsprops JSONB NOT NULL DEFAULT '{}'",
          "ALTER TABLE frontends ADD COLUMN defaultcompletionsprops JSONB NOT NULL DEFAULT '{}'"),
      // Version 3: a backend's Weight; existing rows get the default of 1.
      List.of("ALTER TABLE backends ADD COLUMN weight INTEGER NOT NULL DEFAULT 1"),
      // Version 4: API keys (a prefix and the SHA-256 of the secret, never the secret), their usage
      // totals, and whether a frontend requires a key; existing frontends do not.
      List.of(
          "ALTER TABLE frontends ADD COLUMN requireapikey BOOLEAN NOT NULL DEFAULT FALSE",
          """
          CREATE TABLE apikeys (
            identifier TEXT NOT NULL PRIMARY KEY,
            name TEXT,
            keyprefix TEXT NOT NULL,
            keyhash TEXT NOT NULL,
            frontends JSONB NOT NULL,
            models JSONB NOT NULL,
            requestsperminute INTEGER NOT NULL,
            tokensperminute BIGINT NOT NULL,
            maxconcurrentrequests INTEGER NOT NULL,
            expiresutc TIMESTAMPTZ,
            active BOOLEAN NOT NULL,
            createdutc TIMESTAMPTZ NOT NULL,
            lastupdateutc TIMESTAMPTZ NOT NULL
          )""",
          // Not configuration: written in batches that leave meta.revision alone; goes with its key.
          """
          CREATE TABLE apikeyusage (
            identifier TEXT NOT NULL PRIMARY KEY REFERENCES apikeys (identifier) ON DELETE CASCADE,
            requests BIGINT NOT NULL,
            prompttokens BIGINT NOT NULL,
            completiontokens BIGINT NOT NULL,
            refusals BIGINT NOT NULL,
            lastusedutc TIMESTAMPTZ
          )"""));

  private Schema() {}

  /** The statements that upgrade {@code version} to {@code version + 1}; tests use them to build old databases. */
  static List<String> migration(int version) {
    return MIGRATIONS.get(version);
  }

  /**
   * Brings the database to {@link #VERSION} in one transaction.
   *
   * @param location the database, for messages
   * @throws IllegalStateException if the database was written by a newer schema version
   */
  static void migrate(Connection connection, String location) throws SQLException {
    Transactions.run(connection, c -> {
      try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
        lock.setLong(1, MIGRATION_LOCK);
        lock.execute();
      }
      try (Statement s = c.createStatement()) {
        s.execute("CREATE TABLE IF NOT EXISTS schema_version"
            + " (id INTEGER NOT NULL PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)");
        int current = version(s, location);
        if (current == VERSION) return null;
        for (int version = current; version < VERSION; version++) {
          for (String ddl : MIGRATIONS.get(version)) s.execute(ddl);
        }
      }
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO schema_version (id, version) VALUES (1, ?)"
          + " ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version")) {
        ps.setInt(1, VERSION);
        ps.executeUpdate();
      }
      return null;
    });
  }

  private static int version(Statement s, String location) throws SQLException {
    int version;
    try (ResultSet rs = s.executeQuery("SELECT version FROM schema_version WHERE id = 1")) {
      version = rs.next() ? rs.getInt(1) : 0;
    }
    if (version > VERSION) {
      throw new IllegalStateException("PostgreSQL: " + location + " has schema version " + version
          + ", newer than the version " + VERSION + " this ollamaflow-postgres understands; use a newer release");
    }
    return version;
  }
}
