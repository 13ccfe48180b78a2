package io.ollamaflow.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.ollamaflow.api.Backend;
import io.ollamaflow.api.ConfigStore;
import io.ollamaflow.api.Frontend;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Several stores on one database: each sees the others' writes, and learns of them by notification. */
class PostgresSharingTest {
  private final TestPostgres pg = TestPostgres.get();
  private final String db = pg.newDatabase();
  private final List<AutoCloseable> closing = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    Collections.reverse(closing);
    for (AutoCloseable c : closing) c.close();
  }

  private PostgresConfigStore open(PostgresConfigStore.Builder builder) {
    PostgresConfigStore store = builder.build();
    closing.add(store);
    return store;
  }

  /** Revisions another store announced, in the order its listener heard them. */
  private LinkedBlockingQueue<Long> changesHeardBy(PostgresConfigStore store) {
    LinkedBlockingQueue<Long> heard = new LinkedBlockingQueue<>();
    ConfigStore.Subscription subscription = store.onChange(() -> heard.add(store.revision()));
    closing.add(subscription);
    return heard;
  }

  @Test
  void aSecondStoreSeesTheFirstStoresWritesAndItsRevisionFollows() throws Exception {
    PostgresConfigStore first = open(pg.store(db));
    PostgresConfigStore second = open(pg.store(db));
    LinkedBlockingQueue<Long> heard = changesHeardBy(second);

    first.putBackend(Backend.builder("b1").port(8080).build());
    first.putFrontend(Frontend.builder("f1").backends(List.of("b1")).build());

    assertThat(second.backend("b1").orElseThrow().port()).isEqualTo(8080);
    assertThat(second.frontends()).extracting(Frontend::identifier).containsExactly("f1");
    assertThat(heard.poll(1, TimeUnit.SECONDS)).isNotNull();
    awaitRevision(second, first.revision());

    assertThat(second.removeBackend("b1")).isTrue();
    awaitRevision(first, second.revision());
    assertThat(first.backends()).isEmpty();
  }

  @Test
  void anOrdinaryRoleThatOwnsItsDatabaseCreatesTheSchemaAndHearsChanges() throws Exception {
    String role = "flow_" + ProcessHandle.current().pid() + "_" + System.nanoTime() % 100_000;
    String owned = pg.newDatabaseOwnedBy(role, "role-pw");
    PostgresConfigStore.Builder asRole = PostgresConfigStore.builder().jdbcUrl(pg.url(owned)).user(role)
        .password("role-pw");
    PostgresConfigStore first = open(asRole);
    PostgresConfigStore second = open(asRole);
    LinkedBlockingQueue<Long> heard = changesHeardBy(second);

    first.putBackend(Backend.builder("b").build());

    assertThat(heard.poll(1, TimeUnit.SECONDS)).isNotNull();
    assertThat(second.backends()).extracting(Backend::identifier).containsExactly("b");
  }

  @Test
  void everyWriteReachesTheOtherStoreWithinASecond() throws Exception {
    PostgresConfigStore writer = open(pg.store(db));
    PostgresConfigStore reader = open(pg.store(db));
    LinkedBlockingQueue<Long> heard = changesHeardBy(reader);
    List<Long> latenciesMicros = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      writer.putBackend(Backend.builder("b").port(10_000 + i).build());
      long written = writer.revision();
      long returned = System.nanoTime();
      Long seen;
      do {
        seen = heard.poll(1, TimeUnit.SECONDS);
        assertThat(seen).as("write %d not heard within a second", i).isNotNull();
      } while (seen < written);
      latenciesMicros.add((System.nanoTime() - returned) / 1000);
      assertThat(reader.backend("b").orElseThrow().port()).isEqualTo(10_000 + i);
    }
    Collections.sort(latenciesMicros);
    System.out.printf("NOTIFY latency over 50 writes (from the writer's commit returning to the reader's listener):"
            + " p50 %d us, p90 %d us, max %d us%n", latenciesMicros.get(25), latenciesMicros.get(45),
        latenciesMicros.get(49));
    assertThat(latenciesMicros.get(49)).isLessThan(1_000_000L);
  }

  @Test
  void theWatchReconnectsAfterItsConnectionIsKilledAndCatchesUpOnMissedWrites() throws Exception {
    PostgresConfigStore writer = open(pg.store(db));
    PostgresConfigStore reader = open(pg.store(db).revisionPollInterval(Duration.ofMillis(500)));
    LinkedBlockingQueue<Long> heard = changesHeardBy(reader);

    awaitWatchConnections(2);
    assertThat(terminateWatchConnections()).isEqualTo(2);
    writer.putBackend(Backend.builder("while-away").build());
    long written = writer.revision();

    Long seen;
    do {
      seen = heard.poll(10, TimeUnit.SECONDS);
      assertThat(seen).as("the reader never caught up after its watch connection was killed").isNotNull();
    } while (seen < written);
    assertThat(reader.revision()).isGreaterThanOrEqualTo(written);

    // Listening again, not only polling: the next write is heard too.
    writer.putBackend(Backend.builder("after").build());
    long next = writer.revision();
    do {
      seen = heard.poll(10, TimeUnit.SECONDS);
      assertThat(seen).isNotNull();
    } while (seen < next);
  }

  @Test
  void aClosedSubscriptionIsNotCalledAgain() throws Exception {
    PostgresConfigStore writer = open(pg.store(db));
    PostgresConfigStore reader = open(pg.store(db));
    LinkedBlockingQueue<Long> unsubscribed = new LinkedBlockingQueue<>();
    reader.onChange(() -> unsubscribed.add(reader.revision())).close();
    LinkedBlockingQueue<Long> subscribed = changesHeardBy(reader);

    writer.putFrontend(Frontend.builder("f").build());
    assertThat(subscribed.poll(1, TimeUnit.SECONDS)).isNotNull();
    assertThat(unsubscribed).isEmpty();
  }

  private void awaitWatchConnections(int count) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (watchConnections("count(*)") < count) {
      assertThat(System.nanoTime()).as("%d watch connections never appeared", count).isLessThan(deadline);
      Thread.sleep(10);
    }
  }

  private int terminateWatchConnections() throws Exception {
    return watchConnections("count(pg_terminate_backend(pid))");
  }

  /** Evaluates an aggregate over the watch connections of this test's database. */
  private int watchConnections(String aggregate) throws Exception {
    try (Connection c = pg.connect(db);
        PreparedStatement ps = c.prepareStatement("SELECT " + aggregate + " FROM pg_stat_activity"
            + " WHERE datname = ? AND application_name = ?")) {
      ps.setString(1, db);
      ps.setString(2, RevisionWatch.APPLICATION_NAME);
      var rs = ps.executeQuery();
      rs.next();
      return rs.getInt(1);
    }
  }

  private static void awaitRevision(PostgresConfigStore store, long atLeast) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
    while (store.revision() < atLeast) {
      assertThat(System.nanoTime()).as("revision %d not reached within a second", atLeast).isLessThan(deadline);
      Thread.sleep(5);
    }
  }
}
