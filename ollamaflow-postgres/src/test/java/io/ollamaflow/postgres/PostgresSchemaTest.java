package io.ollamaflow.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ollamaflow.api.ApiKey;
import io.ollamaflow.api.ApiKeyUsage;
import io.ollamaflow.api.Backend;
import io.ollamaflow.api.Frontend;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Schema creation and upgrade: versions, old databases, newer ones, concurrent starts, a failed migration. */
class PostgresSchemaTest {
  private final TestPostgres pg = TestPostgres.get();
  private final String db = pg.newDatabase();

  @Test
  void anEmptyDatabaseGetsTheCurrentSchema() throws SQLException {
    try (PostgresConfigStore store = pg.store(db).build()) {
      assertThat(store.backends()).isEmpty();
    }
    assertThat(schemaVersion()).isEqualTo(Schema.VERSION);
    assertThat(query("SELECT count(*) FROM meta")).isEqualTo(1);
  }

  @Test
  void aVersionOneDatabaseIsUpgradedKeepingItsRowsWithTheNewColumnsDefaults() throws SQLException {
    try (Connection c = pg.connect(db); Statement s = c.createStatement()) {
      createSchemaVersion(s, 1);
      s.execute("""
          INSERT INTO backends VALUES ('old', 'Old', 'gpu1', 11434, FALSE, 2, 1, 'GET', '/', 4, 10, FALSE, FALSE,
            FALSE, 'OLLAMA', '[]', '{}', '{}', TRUE, TRUE, NULL, NULL, '{}', TRUE,
            '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z')""");
      s.execute("""
          INSERT INTO frontends VALUES ('f', NULL, '*', 60000, 'RoundRobin', TRUE, 536870912, '["old"]', '[]', FALSE,
            FALSE, FALSE, FALSE, 1800000, '{}', '{}', TRUE, TRUE, TRUE, TRUE,
            '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z')""");
    }

    try (PostgresConfigStore store = pg.store(db).build()) {
      Backend backend = store.backend("old").orElseThrow();
      assertThat(backend.weight()).isEqualTo(1);
      assertThat(backend.hostname()).isEqualTo("gpu1");
      Frontend frontend = store.frontend("f").orElseThrow();
      assertThat(frontend.modelAliases()).isEmpty();
      assertThat(frontend.preloadModels()).isEmpty();
      assertThat(frontend.keepModelsLoaded()).isFalse();
      assertThat(frontend.backends()).containsExactly("old");
    }
    assertThat(schemaVersion()).isEqualTo(Schema.VERSION);
  }

  @Test
  void aVersionThreeDatabaseIsUpgradedKeepingEveryRowAndNoFrontendRequiresAKey() throws SQLException {
    try (Connection c = pg.connect(db); Statement s = c.createStatement()) {
      createSchemaVersion(s, 3);
      s.execute("""
          INSERT INTO backends VALUES ('gpu', 'GPU', 'gpu1', 11434, FALSE, 2, 1, 'GET', '/', 4, 10, FALSE, FALSE,
            FALSE, 'OLLAMA', '["eu"]', '{}', '{}', TRUE, TRUE, 'sk-1', NULL, '{}', TRUE,
            '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z', 3)""");
      s.execute("""
          INSERT INTO frontends VALUES ('chat', NULL, '*', 60000, 'round-robin', TRUE, 536870912, '["gpu"]', '[]', FALSE,
            FALSE, FALSE, TRUE, 60000, '{}', '{}', TRUE, TRUE, FALSE, TRUE,
            '2024-01-01T00:00:00Z', '2024-01-02T00:00:00Z', '{"gpt-4o":"llama3"}', TRUE, '["llama3"]', TRUE, '{}', '{}')""");
      s.execute("UPDATE meta SET revision = 2");
    }

    try (PostgresConfigStore store = pg.store(db).build()) {
      Backend backend = store.backend("gpu").orElseThrow();
      assertThat(backend.weight()).isEqualTo(3);
      assertThat(backend.bearerToken()).isEqualTo("sk-1");
      assertThat(backend.labels()).containsExactly("eu");
      Frontend frontend = store.frontend("chat").orElseThrow();
      assertThat(frontend.requireApiKey()).isFalse();
      assertThat(frontend.useStickySessions()).isTrue();
      assertThat(frontend.allowRetries()).isFalse();
      assertThat(frontend.modelAliases()).containsEntry("gpt-4o", "llama3");
      assertThat(frontend.lastUpdateUtc()).isEqualTo(Instant.parse("2024-01-02T00:00:00Z"));
      assertThat(store.apiKeys()).isEmpty();
      assertThat(store.revision()).isEqualTo(2);

      Frontend guarded = frontend.toBuilder().requireApiKey(true).build();
      store.putFrontend(guarded);
      assertThat(store.frontend("chat")).contains(guarded);
    }
    assertThat(schemaVersion()).isEqualTo(Schema.VERSION).isEqualTo(4);
  }

  @Test
  void keysAreStoredAsPrefixAndHashAndTheirUsageGoesWithThem() throws SQLException {
    String secret = "ofk_stored-secret-0123456789abcdef";
    try (PostgresConfigStore store = pg.store(db).build()) {
      store.putApiKey(ApiKey.builder("k").secret(secret).build());
      store.addApiKeyUsage(List.of(new ApiKeyUsage("k", 1, 2, 3, 0, Instant.parse("2025-01-01T00:00:00Z"))));
      assertThat(query("SELECT count(*) FROM apikeys WHERE keyprefix = '" + ApiKey.prefixOf(secret) + "' AND keyhash = '"
          + ApiKey.hashOf(secret) + "'")).isEqualTo(1);
      assertThat(query("SELECT count(*) FROM apikeys WHERE position('" + secret + "' IN CAST(apikeys.* AS TEXT)) > 0"))
          .as("no column holds the secret").isZero();
      assertThat(query("SELECT count(*) FROM apikeyusage")).isEqualTo(1);

      assertThat(store.removeApiKey("k")).isTrue();
      assertThat(query("SELECT count(*) FROM apikeyusage")).isZero();
    }
  }

  @Test
  void aDatabaseWithANewerSchemaIsRefusedAndLeftAlone() throws SQLException {
    try (PostgresConfigStore store = pg.store(db).build()) {
      store.putBackend(Backend.builder("b").build());
    }
    execute("UPDATE schema_version SET version = " + (Schema.VERSION + 1));

    assertThatThrownBy(() -> pg.store(db).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("/" + db + " has schema version " + (Schema.VERSION + 1))
        .hasMessageContaining("newer than the version " + Schema.VERSION + " this ollamaflow-postgres understands");
    assertThat(schemaVersion()).isEqualTo(Schema.VERSION + 1);
    assertThat(query("SELECT count(*) FROM backends")).isEqualTo(1);
  }

  @Test
  void aMigrationThatFailsLeavesTheOldSchemaWhole() throws SQLException {
    // A version-2 database whose backends table someone already gave a 'weight' column by hand.
    try (Connection c = pg.connect(db); Statement s = c.createStatement()) {
      createSchemaVersion(s, 2);
      s.execute("ALTER TABLE backends ADD COLUMN weight TEXT");
    }

    assertThatThrownBy(() -> pg.store(db).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("PostgreSQL: cannot open " + pg.url(db))
        .hasMessageContaining("column \"weight\" of relation \"backends\" already exists");
    assertThat(schemaVersion()).isEqualTo(2);
  }

  @Test
  void aMigrationWaitsForTheLockOfAnotherInstancesMigration() throws Exception {
    try (Connection holder = pg.connect(db)) {
      holder.setAutoCommit(false);
      try (PreparedStatement lock = holder.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
        lock.setLong(1, Schema.MIGRATION_LOCK);
        lock.execute();
      }
      CompletableFuture<PostgresConfigStore> opening = CompletableFuture.supplyAsync(() -> pg.store(db).build());
      // Deterministic: wait until the opening store is seen blocked on the advisory lock.
      awaitAdvisoryLockWaiter();
      assertThat(opening).isNotDone();
      holder.rollback();
      try (PostgresConfigStore store = opening.get(10, TimeUnit.SECONDS)) {
        assertThat(store.frontends()).isEmpty();
      }
    }
    assertThat(schemaVersion()).isEqualTo(Schema.VERSION);
  }

  @Test
  void instancesStartingTogetherOnAnEmptyDatabaseAllOpenIt() throws Exception {
    int instances = 6;
    ExecutorService pool = Executors.newFixedThreadPool(instances);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<PostgresConfigStore>> opening = new ArrayList<>();
    try {
      for (int i = 0; i < instances; i++) {
        opening.add(pool.submit(() -> {
          go.await();
          return pg.store(db).build();
        }));
      }
      go.countDown();
      List<PostgresConfigStore> stores = new ArrayList<>();
      for (Future<PostgresConfigStore> f : opening) stores.add(f.get(30, TimeUnit.SECONDS));
      stores.get(0).putBackend(Backend.builder("b").build());
      for (PostgresConfigStore store : stores) {
        assertThat(store.backend("b")).isPresent();
        store.close();
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(schemaVersion()).isEqualTo(Schema.VERSION);
    assertThat(query("SELECT count(*) FROM meta")).isEqualTo(1);
  }

  @Test
  void jsonAndTimestampColumnsUsePostgresTypes() throws SQLException {
    try (PostgresConfigStore store = pg.store(db).build()) {
      store.putBackend(Backend.builder("b").headers(Map.of("X-Team", "ml")).build());
    }
    assertThat(query("SELECT count(*) FROM backends WHERE headers->>'X-Team' = 'ml' AND createdutc <= now()"))
        .isEqualTo(1);
  }

  @Test
  void aRowEditedByHandIntoAnInvalidObjectIsNamedWithoutShowingItsValues() throws SQLException {
    try (PostgresConfigStore store = pg.store(db).build()) {
      store.putBackend(Backend.builder("b").headers(Map.of("X-Api-Key", "secret-key")).build());
      execute("UPDATE backends SET headers = '[\"secret-key\"]'");
      assertThatThrownBy(store::backends)
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("PostgreSQL: stored backend 'b' is invalid: column headers does not hold a JSON object of strings");
      execute("UPDATE backends SET headers = '{}', port = 0");
      assertThatThrownBy(() -> store.backend("b")).hasMessageStartingWith("PostgreSQL: stored backend 'b' is invalid: port");
    }
  }

  /** The tables of an older release: its migrations applied by hand, and its version recorded. */
  private static void createSchemaVersion(Statement s, int version) throws SQLException {
    s.execute("CREATE TABLE schema_version (id INTEGER NOT NULL PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)");
    for (int v = 0; v < version; v++) for (String ddl : Schema.migration(v)) s.execute(ddl);
    s.execute("INSERT INTO schema_version VALUES (1, " + version + ")");
  }

  private void awaitAdvisoryLockWaiter() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      if (query("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted") > 0) return;
      Thread.sleep(20);
    }
    throw new AssertionError("no store ever waited for the migration lock");
  }

  private int schemaVersion() throws SQLException {
    return query("SELECT version FROM schema_version WHERE id = 1");
  }

  private int query(String sql) throws SQLException {
    try (Connection c = pg.connect(db); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getInt(1);
    }
  }

  private void execute(String sql) throws SQLException {
    try (Connection c = pg.connect(db); Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }
}
