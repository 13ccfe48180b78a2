package io.ollamaflow.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import io.ollamaflow.api.ApiKey;
import io.ollamaflow.api.ApiKeyUsage;
import io.ollamaflow.api.Frontend;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Upgrading a real schema-3 file (written by that release; see {@link Version3Fixture}) to API keys. */
class SqliteVersion3UpgradeTest {
  @TempDir
  Path dir;
  private Path file;

  @BeforeEach
  void copyFixture() throws Exception {
    file = dir.resolve("config.db");
    try (InputStream in = getClass().getResourceAsStream("/schema-v3.sqlite")) {
      Files.copy(in, file);
    }
    assertThat(userVersion()).as("the fixture is a schema-3 file").isEqualTo(3);
  }

  @Test
  void everyFrontendAndBackendOfAVersion3FileSurvivesTheUpgradeAndNoFrontendRequiresAKey() throws SQLException {
    long revision;
    try (SqliteConfigStore store = SqliteConfigStore.open(file)) {
      assertThat(store.frontends()).containsExactlyElementsOf(Version3Fixture.frontends());
      assertThat(store.backends()).containsExactlyElementsOf(Version3Fixture.backends());
      assertThat(store.frontends()).noneMatch(Frontend::requireApiKey);
      assertThat(store.apiKeys()).isEmpty();
      assertThat(store.apiKeyUsage()).isEmpty();
      revision = store.revision();
    }
    assertThat(userVersion()).isEqualTo(Schema.VERSION).isEqualTo(4);
    assertThat(revision).as("the upgrade keeps the revision of the stored configuration").isEqualTo(4);
  }

  @Test
  void anUpgradedFileKeepsKeysUsageAndRequireApiKeyAcrossReopening() {
    ApiKey key = ApiKey.builder("ci").secret("ofk_ci-0123456789abcdefghijklmnop").frontends(List.of("chat"))
        .createdUtc(Instant.parse("2025-07-01T00:00:00Z")).build();
    Frontend chat = Version3Fixture.frontends().get(0).toBuilder().requireApiKey(true).build();
    try (SqliteConfigStore store = SqliteConfigStore.open(file)) {
      store.putFrontend(chat);
      store.putApiKey(key);
      store.addApiKeyUsage(List.of(new ApiKeyUsage("ci", 3, 30, 40, 1, Instant.parse("2025-07-02T00:00:00Z"))));
    }
    try (SqliteConfigStore store = SqliteConfigStore.open(file)) {
      assertThat(store.frontend("chat")).contains(chat);
      assertThat(store.frontend("embed")).contains(Version3Fixture.frontends().get(1));
      assertThat(store.apiKeys()).containsExactly(key);
      assertThat(store.apiKeyUsage())
          .containsExactly(new ApiKeyUsage("ci", 3, 30, 40, 1, Instant.parse("2025-07-02T00:00:00Z")));
    }
  }

  @Test
  void keysAreStoredAsPrefixAndHashNeverTheSecret() throws SQLException {
    String secret = "ofk_stored-secret-0123456789abcdef";
    try (SqliteConfigStore store = SqliteConfigStore.open(file)) {
      store.putApiKey(ApiKey.builder("k").secret(secret).build());
    }
    try (Connection c = connect(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT * FROM apikeys")) {
      assertThat(rs.next()).isTrue();
      int columns = rs.getMetaData().getColumnCount();
      for (int i = 1; i <= columns; i++) {
        assertThat(String.valueOf(rs.getString(i))).as(rs.getMetaData().getColumnName(i)).doesNotContain(secret);
      }
      assertThat(rs.getString("keyprefix")).isEqualTo(ApiKey.prefixOf(secret));
      assertThat(rs.getString("keyhash")).isEqualTo(ApiKey.hashOf(secret));
    }
  }

  private Connection connect() throws SQLException {
    return DriverManager.getConnection("jdbc:sqlite:" + file);
  }

  private int userVersion() throws SQLException {
    try (Connection c = connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA user_version")) {
      rs.next();
      return rs.getInt(1);
    }
  }
}
