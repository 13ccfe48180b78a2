package io.ollamaflow.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ollamaflow.api.LiveState;
import io.ollamaflow.api.LiveState.SessionKey;
import io.ollamaflow.api.LiveState.WindowCount;
import io.ollamaflow.api.LiveStateContractTest;
import io.ollamaflow.api.StoreUnavailableException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/** The shared {@link LiveState} contract on a real PostgreSQL, and what only a database does: share, hang, persist. */
class PostgresLiveStateTest extends LiveStateContractTest {
  private static final Duration MINUTE = Duration.ofMinutes(1);
  private final TestPostgres pg = TestPostgres.get();
  private String db;

  @Override
  protected LiveState newState() {
    db = pg.newDatabase();
    return pg.liveState(db).build();
  }

  @Override
  protected void letTimePass(Duration duration) throws InterruptedException {
    Thread.sleep(duration.toMillis() + 1);
  }

  @Test
  void twoStatesOnOneDatabaseShareSessionsAndCounters() {
    try (PostgresLiveState other = pg.liveState(db).build()) {
      state.bindSession(new SessionKey("fe", "conversation-7"), "gpu-2", MINUTE);
      assertThat(other.lookupSession(new SessionKey("fe", "conversation-7"), MINUTE)).contains("gpu-2");

      Instant window = WindowCount.windowStart(Instant.now(), MINUTE);
      state.addToWindow(new WindowCount("apikey:k:requests", window, MINUTE, 3));
      assertThat(other.addToWindow(new WindowCount("apikey:k:requests", window, MINUTE, 1))).isEqualTo(4);
    }
  }

  @Test
  void aCallTheDatabaseDoesNotAnswerInTimeFailsNamingItWithinTheTimeout() throws Exception {
    try (Connection locker = pg.connect(db); Statement s = locker.createStatement()) {
      locker.setAutoCommit(false);
      s.execute("LOCK TABLE live_counters IN ACCESS EXCLUSIVE MODE");
      long start = System.nanoTime();

      assertThatThrownBy(() -> state.addToWindow(new WindowCount("c", Instant.EPOCH, MINUTE, 1)))
          .isInstanceOf(StoreUnavailableException.class)
          .hasMessageStartingWith("PostgreSQL live state: counter c on " + pg.url(db) + " failed: ");
      // 200 ms statement timeout; the bound checked is loose so a busy machine cannot fail it.
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
      locker.rollback();
    }
    assertThat(state.addToWindow(new WindowCount("c", Instant.EPOCH, MINUTE, 1))).isEqualTo(1);
  }

  @Test
  void sweepKeepsAtMostMaxSessionsDroppingTheLeastRecentlyUsed() throws Exception {
    try (PostgresLiveState capped = pg.liveState(db).maxSessions(3).build()) {
      for (String client : new String[] {"a", "b", "c", "d", "e"}) {
        capped.bindSession(new SessionKey("fe", client), "b1", MINUTE);
        Thread.sleep(2); // distinct last-access times
      }
      capped.lookupSession(new SessionKey("fe", "a"), MINUTE);

      capped.sweep();

      assertThat(capped.sessions()).extracting(LiveState.Session::clientKey).containsExactly("a", "d", "e");
    }
  }

  @Test
  void severalCountersAreAddedInOneStatement() {
    AtomicInteger statements = new AtomicInteger();
    PGSimpleDataSource plain = new PGSimpleDataSource();
    plain.setURL(pg.url(db));
    plain.setUser(TestPostgres.USER);
    plain.setPassword(pg.password());
    Instant window = WindowCount.windowStart(Instant.now(), MINUTE);
    state.addToWindow(new WindowCount("apikey:k:tokens", window, MINUTE, 70));
    try (PostgresLiveState counted = PostgresLiveState.builder().dataSource(countingStatements(plain, statements)).build()) {
      statements.set(0);

      long[] totals = counted.addToWindows(List.of(new WindowCount("apikey:k:tokens", window, MINUTE, 0),
          new WindowCount("apikey:k:requests", window, MINUTE, 1)));

      assertThat(totals).containsExactly(70, 1);
      assertThat(statements).as("statements executed for two counters").hasValue(1);
    }
  }

  /** {@code dataSource}'s connections, counting every statement they execute. */
  private static DataSource countingStatements(DataSource dataSource, AtomicInteger executed) {
    InvocationHandler connections = (proxy, method, args) -> {
      Connection connection = dataSource.getConnection();
      return Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
          (c, connectionMethod, connectionArgs) -> {
            Object result = invoke(connection, connectionMethod, connectionArgs);
            if (!(result instanceof Statement statement)) return result;
            return Proxy.newProxyInstance(Statement.class.getClassLoader(),
                new Class<?>[] {connectionMethod.getReturnType()}, (s, statementMethod, statementArgs) -> {
                  if (statementMethod.getName().startsWith("execute")) executed.incrementAndGet();
                  return invoke(statement, statementMethod, statementArgs);
                });
          });
    };
    return (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(), new Class<?>[] {DataSource.class},
        (proxy, method, args) -> method.getName().equals("getConnection") ? connections.invoke(proxy, method, args)
            : invoke(dataSource, method, args));
  }

  private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  @Test
  void anUnreachableDatabaseIsRefusedAtBuildNamingIt() {
    assertThatThrownBy(() -> PostgresLiveState.builder().jdbcUrl("jdbc:postgresql://127.0.0.1:1/none?password=secret")
        .connectTimeout(Duration.ofSeconds(1)).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("PostgreSQL live state: cannot open jdbc:postgresql://127.0.0.1:1/none: ")
        .hasMessageNotContaining("secret");
  }
}
