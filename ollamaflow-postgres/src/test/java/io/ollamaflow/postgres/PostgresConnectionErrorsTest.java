package io.ollamaflow.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Opening fails with a message that says what is wrong, in bounded time, and never shows a password. */
class PostgresConnectionErrorsTest {
  private final TestPostgres pg = TestPostgres.get();

  @Test
  void aWrongPasswordNamesTheUserAndNotThePassword() {
    String db = pg.newDatabase();
    assertThatThrownBy(() -> pg.store(db).password("not-the-password").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("PostgreSQL: cannot connect to " + pg.url(db) + " as user '" + TestPostgres.USER + "'")
        .hasMessageContaining("password authentication failed")
        .hasMessageNotContaining("not-the-password");
  }

  @Test
  void aMissingDatabaseIsNamed() {
    assertThatThrownBy(() -> pg.store("no_such_db").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("database \"no_such_db\" does not exist");
  }

  @Test
  void aPortWithNoServerFailsAtOnceAndHidesUrlParameters() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    long start = System.nanoTime();
    assertThatThrownBy(() -> PostgresConfigStore.builder()
        .jdbcUrl("jdbc:postgresql://127.0.0.1:" + port + "/x?password=hunter2").user("u").password("p")
        .connectTimeout(Duration.ofSeconds(2)).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("cannot connect to jdbc:postgresql://127.0.0.1:" + port + "/x as user 'u'")
        .hasMessageContaining("refused")
        .hasMessageNotContaining("hunter2");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void aServerThatAcceptsAndNeverAnswersFailsAfterTheConnectTimeout() throws Exception {
    List<Socket> accepted = new ArrayList<>();
    try (ServerSocket silent = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
      Thread acceptor = new Thread(() -> {
        try {
          while (true) accepted.add(silent.accept());
        } catch (IOException closed) {
          // the test is over
        }
      });
      acceptor.setDaemon(true);
      acceptor.start();
      long start = System.nanoTime();
      assertThatThrownBy(() -> PostgresConfigStore.builder()
          .jdbcUrl("jdbc:postgresql://127.0.0.1:" + silent.getLocalPort() + "/x").user("u").password("p")
          .connectTimeout(Duration.ofSeconds(1)).socketTimeout(Duration.ofSeconds(1)).build())
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("cannot connect to jdbc:postgresql://127.0.0.1:" + silent.getLocalPort() + "/x");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(8));
      assertThat(accepted).isNotEmpty();
    } finally {
      for (Socket s : accepted) s.close();
    }
  }

  @Test
  void aUrlOfAnotherDatabaseIsRejectedBeforeConnecting() {
    assertThatThrownBy(() -> PostgresConfigStore.builder().jdbcUrl("jdbc:mysql://db/x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("jdbcUrl: \"jdbc:mysql://db/x\" (expected: jdbc:postgresql://HOST:PORT/DATABASE)");
    assertThatThrownBy(() -> PostgresConfigStore.builder().build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("set exactly one of jdbcUrl and dataSource");
  }
}
