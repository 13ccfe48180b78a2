package io.ollamaflow.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.ollamaflow.api.Backend;
import io.ollamaflow.api.ConfigStore;
import io.ollamaflow.api.ConfigStoreContractTest;
import java.sql.Connection;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The contract again, on connections from a pool the host owns, which the store must leave open. */
class PostgresConfigStoreOnHostDataSourceTest extends ConfigStoreContractTest {
  private final TestPostgres pg = TestPostgres.get();
  private HikariDataSource hostPool;

  @Override
  protected ConfigStore newStore() {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(pg.url(pg.newDatabase()));
    config.setUsername(TestPostgres.USER);
    config.setPassword(pg.password());
    config.setMaximumPoolSize(5);
    hostPool = new HikariDataSource(config);
    return PostgresConfigStore.builder().dataSource(hostPool).build();
  }

  @AfterEach
  void closeHostPool() {
    hostPool.close();
  }

  @Test
  void closingTheStoreLeavesTheHostsPoolOpenAndWithoutTheWatchConnection() throws Exception {
    store.close();
    assertThat(hostPool.isClosed()).isFalse();
    // The server ends the aborted session asynchronously: allow it a moment.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (watchSessions() > 0) {
      assertThat(System.nanoTime()).as("the watch's session outlived the store").isLessThan(deadline);
      Thread.sleep(10);
    }
  }

  private int watchSessions() throws Exception {
    try (Connection c = hostPool.getConnection(); var s = c.createStatement();
        var rs = s.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE application_name = '"
            + RevisionWatch.APPLICATION_NAME + "' AND datname = current_database()")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  @Test
  void anotherStoreOnTheSamePoolIsToldOfWrites() throws Exception {
    try (PostgresConfigStore other = PostgresConfigStore.builder().dataSource(hostPool).build()) {
      LinkedBlockingQueue<Long> heard = new LinkedBlockingQueue<>();
      try (ConfigStore.Subscription s = other.onChange(() -> heard.add(other.revision()))) {
        store.putBackend(Backend.builder("b").build());
        long written = store.revision();
        Long seen;
        do {
          seen = heard.poll(1, TimeUnit.SECONDS);
          assertThat(seen).isNotNull();
        } while (seen < written);
      }
    }
  }
}
