package io.ollamaflow.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ollamaflow.api.ApiFormat;
import io.ollamaflow.api.Backend;
import io.ollamaflow.api.Frontend;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the file adds to the contract: persistence, sharing between stores, schema and SQL safety. */
class SqliteConfigStorePersistenceTest {
  /** Everything OllamaFlow's sanitiser damaged: quotes, comment markers, control-free unicode. */
  private static final String TRICKY = "it's \"quoted\" -- not a comment /* nor this */ ; DROP TABLE backends; "
      + "\\ back\\slash % _ ünïcødé 日本語 😀 \u00a0 ? ?1 :name $1";

  @TempDir
  Path dir;

  private Path file() {
    return dir.resolve("config.db");
  }

  @Test
  void dataSurvivesCloseAndReopen() {
    Frontend frontend = Frontend.builder("f1").hostname("a.example.com").backends(List.of("b1")).build();
    Backend backend = Backend.builder("b1").port(8080).bearerToken("secret").build();
    long revision;
    try (SqliteConfigStore store = SqliteConfigStore.open(file())) {
      store.putFrontend(frontend);
      store.putBackend(backend);
      revision = store.revision();
    }

    try (SqliteConfigStore store = SqliteConfigStore.open(file())) {
      assertThat(store.frontends()).containsExactly(frontend);
      assertThat(store.backends()).containsExactly(backend);
      assertThat(store.revision()).isEqualTo(revision);
    }
  }

  @Test
  void secondStoreOnTheSameFileSeesWritesOfTheFirstAndItsRevisionChanges() {
    try (SqliteConfigStore first = SqliteConfigStore.open(file());
        SqliteConfigStore second = SqliteConfigStore.open(file())) {
      long before = second.revision();

      first.putBackend(Backend.builder("b1").build());
      long afterPut = second.revision();
      assertThat(afterPut).isNotEqualTo(before);
      assertThat(second.backend("b1")).isPresent();

      first.removeBackend("b1");
      assertThat(second.revision()).isNotEqualTo(afterPut);
      assertThat(second.backends()).isEmpty();
    }
  }

  @Test
  void revisionChangesWhenAnotherConnectionWritesWithPlainSql() throws SQLException {
    try (SqliteConfigStore store = SqliteConfigStore.open(file())) {
      long before = store.revision();
      try (Connection other = connect(); Statement s = other.createStatement()) {
        s.executeUpdate("UPDATE meta SET revision = revision + 1");
      }
      assertThat(store.revision()).isNotEqualTo(before);
    }
  }

  @Test
  void removingAMissingObjectLeavesTheRevisionAlone() {
    try (SqliteConfigStore store = SqliteConfigStore.open(file())) {
      long before = store.revision();
      assertThat(store.removeFrontend("missing")).isFalse();
      assertThat(store.removeBackend("missing")).isFalse();
      assertThat(store.revision()).isEqualTo(before);
    }
  }

  @Test
  void twoStoresWritingTheSameFileConcurrentlyKeepEveryWrite() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try (SqliteConfigStore first = SqliteConfigStore.open(file());
        SqliteConfigStore second = SqliteConfigStore.open(file())) {
      long before = first.revision();
      List<Future<?>> futures = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        SqliteConfigStore store = i % 2 == 0 ? first : second;
        String id = String.format("b%03d", i);
        futures.add(pool.submit(() -> store.putBackend(Backend.builder(id).build())));
      }
      for (Future<?> f : futures) f.get(60, TimeUnit.SECONDS);

      assertThat(first.backends()).hasSize(100);
      assertThat(second.backends()).hasSize(100);
      assertThat(second.revision()).isEqualTo(before + 100);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void acknowledgedWriteSurvivesKillingTheWritingProcess() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    // Surefire starts tests from a manifest-only jar; it publishes the real class path separately.
    String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    Process child = new ProcessBuilder(java, "-cp", classPath, WriterProcess.class.getName(),
        file().toString(), "killed")
        .redirectErrorStream(true)
        .start();
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
      List<String> lines = new ArrayList<>();
      String line;
      while ((line = out.readLine()) != null && !line.equals(WriterProcess.WRITTEN)) lines.add(line);
      assertThat(line).as("child output: %s", lines).isEqualTo(WriterProcess.WRITTEN);
    } finally {
      child.destroyForcibly();
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }

    try (SqliteConfigStore store = SqliteConfigStore.open(file())) {
      assertThat(store.backend("killed")).hasValueSatisfying(b -> assertThat(b.port()).isEqualTo(4321));
    }
  }

  @Test
  void openingCreatesTheCurrentSchemaVersionInWalJournalMode() throws SQLException {
    SqliteConfigStore.open(file()).close();

    try (Connection c = connect()) {
      assertThat(pragma(c, "user_version")).isEqualTo(Integer.toString(Schema.VERSION));
      assertThat(pragma(c, "journal_mode")).isEqualTo("wal");
      assertThat(tables(c)).contains("frontends", "backends", "meta", "apikeys", "apikeyusage");
    }
  }

  @Test
  void versionOneFileIsUpgradedAndItsFrontendsGetTheNewFieldsDefaults() throws SQLException {
    try (Connection c = connect(); Statement s = c.createStatement()) {
      for (String ddl : Schema.migration(0)) s.execute(ddl);
      s.execute("PRAGMA user_version = 1");
      s.execute("""
          INSERT INTO frontends VALUES ('f1', 'Old', '*', 60000, 'round-robin', 1, 1000, '["b1"]', '["llama3"]',
            0, 0, 0, 0, 1800000, '{}', '{"options":{"num_ctx":2048}}', 1, 1, 1, 1,
            '2025-01-02T03:04:05.123456Z', '2025-01-02T03:04:05.123456Z')""");
    }

    try (SqliteConfigStore store = SqliteConfigStore.open(file())) {
      Frontend old = store.frontend("f1").orElseThrow();
      assertThat(old.requiredModels()).containsExactly("llama3");
      assertThat(old.pinnedCompletionsProperties().path("options").path("num_ctx").intValue()).isEqualTo(2048);
      assertThat(old.modelAliases()).isEmpty();
      assertThat(old.listConfiguredModelsOnly()).isFalse();
      assertThat(old.preloadModels()).isEmpty();
      assertThat(old.keepModelsLoaded()).isFalse();
      assertThat(old.defaultEmbeddingsProperties().isEmpty()).isTrue();
      assertThat(old.defaultCompletionsProperties().isEmpty()).isTrue();

      Frontend edited = old.toBuilder().modelAliases(Map.of("gpt-4o", "llama3")).keepModelsLoaded(true).build();
      store.putFrontend(edited);
      assertThat(store.frontend("f1")).contains(edited);
    }
    try (Connection c = connect()) {
      assertThat(pragma(c, "user_version")).isEqualTo(Integer.toString(Schema.VERSION));
    }
  }

  @Test
  void versionTwoFileIsUpgradedAndItsBackendsGetWeightOne() throws SQLException {
    try (Connection c = connect(); Statement s = c.createStatement()) {
      for (int version = 0; version < 2; version++) {
        for (String ddl : Schema.migration(version)) s.execute(ddl);
      }
      s.execute("PRAGMA user_version = 2");
      s.execute("""
          INSERT INTO backends VALUES ('b1', 'Old', 'gpu-1', 11434, 0, 2, 2, 'GET', '/', 4, 10, 0, 0, 0, 'OLLAMA',
            '[]', '{}', '{}', 1, 1, NULL, NULL, '{}', 1,
            '2025-01-02T03:04:05.123456Z', '2025-01-02T03:04:05.123456Z')""");
    }

    try (SqliteConfigStore store = SqliteConfigStore.open(file())) {
      Backend old = store.backend("b1").orElseThrow();
      assertThat(old.hostname()).isEqualTo("gpu-1");
      assertThat(old.weight()).isEqualTo(1);

      Backend heavier = old.toBuilder().weight(3).build();
      store.putBackend(heavier);
      assertThat(store.backend("b1")).contains(heavier);
    }
    try (Connection c = connect()) {
      assertThat(pragma(c, "user_version")).isEqualTo(Integer.toString(Schema.VERSION));
    }
  }

  @Test
  void openingCreatesMissingParentDirectories() {
    Path nested = dir.resolve("a/b/c/config.db");
    SqliteConfigStore.open(nested).close();
    assertThat(nested).exists();
  }

  @Test
  void reopeningAnExistingFileIsIdempotent() throws SQLException {
    try (SqliteConfigStore store = SqliteConfigStore.open(file())) {
      store.putFrontend(Frontend.builder("f1").build());
    }
    SqliteConfigStore.open(file()).close();
    SqliteConfigStore.open(file()).close();

    try (SqliteConfigStore store = SqliteConfigStore.open(file())) {
      assertThat(store.frontends()).extracting(Frontend::identifier).containsExactly("f1");
      assertThat(store.revision()).isEqualTo(1);
    }
    try (Connection c = connect()) {
      assertThat(pragma(c, "user_version")).isEqualTo(Integer.toString(Schema.VERSION));
    }
  }

  @Test
  void databaseWithANewerSchemaVersionIsRefusedWithAClearMessage() throws SQLException {
    try (Connection c = connect(); Statement s = c.createStatement()) {
      s.execute("PRAGMA user_version = " + (Schema.VERSION + 1));
    }

    assertThatThrownBy(() -> SqliteConfigStore.open(file()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(file().toString())
        .hasMessageContaining("schema version " + (Schema.VERSION + 1))
        .hasMessageContaining("version " + Schema.VERSION);
    try (Connection c = connect()) {
      assertThat(pragma(c, "user_version")).isEqualTo(Integer.toString(Schema.VERSION + 1));
      assertThat(tables(c)).isEmpty();
    }
  }

  @Test
  void valuesWithQuotesCommentMarkersUnicodeAndGreatLengthRoundTripUnchanged() {
    String longText = TRICKY.repeat(20_000);
    ObjectNode pinned = JsonNodeFactory.instance.objectNode();
    pinned.put(TRICKY, TRICKY);
    pinned.put("long", longText);
    pinned.putArray("stop").add("--").add("/*").add("*/").add("'");
    Frontend frontend = Frontend.builder("f'-- *1* ünï 😀")
        .name(longText)
        .hostname("*")
        .backends(List.of("b'1", "b--2", "b/*3*/"))
        .requiredModels(List.of("qwen--coder:7b", "model/*x*/", TRICKY))
        .pinnedCompletionsProperties(pinned)
        .createdUtc(Instant.parse("2025-01-02T03:04:05.000001Z"))
        .build();
    Backend backend = Backend.builder("b'--1; *x*")
        .name(TRICKY)
        .labels(List.of("gpu'a100", "eu--west", "/*x*/", "ünï"))
        .pinnedEmbeddingsProperties(pinned)
        .apiFormat(ApiFormat.of("My'Format--"))
        .bearerToken("sk-'--/*" + longText.replace("\n", ""))
        .headers(Map.of("X-Quote", TRICKY, "X-Long", longText))
        .build();

    try (SqliteConfigStore store = SqliteConfigStore.open(file())) {
      store.putFrontend(frontend);
      store.putBackend(backend);
    }
    try (SqliteConfigStore store = SqliteConfigStore.open(file())) {
      Frontend readFrontend = store.frontend(frontend.identifier()).orElseThrow();
      Backend readBackend = store.backend(backend.identifier()).orElseThrow();
      assertThat(readFrontend).isEqualTo(frontend);
      assertThat(readFrontend.name()).isEqualTo(longText);
      assertThat(readBackend).isEqualTo(backend);
      assertThat(readBackend.apiFormat().name()).isEqualTo("My'Format--");
      assertThat(readBackend.bearerToken()).isEqualTo(backend.bearerToken());
      assertThat(readBackend.headers()).isEqualTo(backend.headers());
    }
  }

  @Test
  void timestampsAreStoredAsSortableIsoTextWithMicroseconds() throws SQLException {
    try (SqliteConfigStore store = SqliteConfigStore.open(file())) {
      store.putBackend(Backend.builder("b1").createdUtc(Instant.parse("2025-06-01T00:00:00Z")).build());
    }
    try (Connection c = connect(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT createdutc, ssl, labels, headers FROM backends")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("2025-06-01T00:00:00.000000Z");
      assertThat(rs.getInt(2)).isZero();
      assertThat(rs.getString(3)).isEqualTo("[]");
      assertThat(rs.getString(4)).isEqualTo("{}");
    }
  }

  @Test
  void failedWriteNamesOperationAndIdentifierButNotTheSecret() throws SQLException {
    try (SqliteConfigStore store = SqliteConfigStore.open(file())) {
      long before = store.revision();
      try (Connection c = connect(); Statement s = c.createStatement()) {
        s.execute("DROP TABLE backends");
      }

      assertThatThrownBy(() -> store.putBackend(Backend.builder("b1")
          .bearerToken("sk-top-secret").headers(Map.of("X-Key", "header-secret")).build()))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageStartingWith("SQLite: putBackend 'b1' failed")
          .hasMessageNotContaining("sk-top-secret")
          .hasMessageNotContaining("header-secret");
      assertThat(store.revision()).as("the failed write was rolled back").isEqualTo(before);
    }
  }

  @Test
  void closeIsIdempotentAndLaterCallsFailClearly() {
    SqliteConfigStore store = SqliteConfigStore.open(file());
    store.close();
    store.close();

    assertThatThrownBy(() -> store.backend("b1"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("SQLite: backend 'b1' failed: store is closed");
    assertThatThrownBy(store::revision).hasMessageContaining("closed");
  }

  @Test
  void openRejectsAUrlThatIsNotSqlite() {
    assertThatThrownBy(() -> SqliteConfigStore.open("jdbc:postgresql://localhost/db"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("jdbc:sqlite:");
  }

  private Connection connect() throws SQLException {
    return DriverManager.getConnection("jdbc:sqlite:" + file());
  }

  private static String pragma(Connection c, String name) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA " + name)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static List<String> tables(Connection c) throws SQLException {
    List<String> names = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")) {
      while (rs.next()) names.add(rs.getString(1));
    }
    return names;
  }
}
