package io.ollamaflow.examples.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.ollamaflow.api.Backend;
import io.ollamaflow.api.Frontend;
import io.ollamaflow.core.FlowCluster;
import io.ollamaflow.core.http.FlowHttpServer;
import io.ollamaflow.examples.sim.SimulatedOllama;
import io.ollamaflow.postgres.PostgresConfigStore;
import io.ollamaflow.postgres.TestPostgres;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Three OllamaFlow instances (FlowCluster, each with its own PostgresConfigStore and HTTP port)
 * on one real PostgreSQL, as behind an L4 balancer: an admin edit made through one is routed by
 * the other two within a second, with the default one-second configuration poll; and while the
 * database refuses connections, they keep routing on what they have and catch up when it returns.
 */
class SharedPostgresClusterTest {
  private static final String ADMIN_TOKEN = "scenario-admin";
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final List<AutoCloseable> closing = new ArrayList<>();
  private final List<FlowHttpServer> instances = new ArrayList<>();
  private SimulatedOllama gpu1;
  private SimulatedOllama gpu2;
  private TestPostgres pg;
  private String db;

  @BeforeEach
  void startThreeInstancesOnOneDatabase() throws Exception {
    gpu1 = closeLater(SimulatedOllama.builder().id("gpu-1").tokenDelay(Duration.ZERO).start());
    gpu2 = closeLater(SimulatedOllama.builder().id("gpu-2").tokenDelay(Duration.ZERO).start());
    pg = TestPostgres.get();
    db = pg.newDatabase();
    try (PostgresConfigStore seed = pg.store(db).build()) {
      seed.putBackend(backend(gpu1));
      seed.putFrontend(Frontend.builder("main").backends(List.of("gpu-1")).build());
    }
    for (int i = 0; i < 3; i++) {
      PostgresConfigStore store = closeLater(pg.store(db).build());
      FlowCluster cluster = closeLater(FlowCluster.builder().configStore(store).disableActiveHealthChecks()
          .adminBearerTokens(List.of(ADMIN_TOKEN)).build());
      instances.add(closeLater(FlowHttpServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
          cluster.httpHandler())));
    }
  }

  @AfterEach
  void stop() throws Exception {
    Collections.reverse(closing);
    for (AutoCloseable c : closing) c.close();
  }

  @Test
  void anAdminEditThroughOneInstanceIsRoutedByTheOtherTwoWithinASecond() throws Exception {
    for (FlowHttpServer instance : instances) assertThat(answeringBackend(instance)).isEqualTo("gpu-1");
    assertThat(admin(instances.get(0), "PUT", "/v1.0/backends", backendJson(gpu2)).statusCode()).isEqualTo(201);

    List<Long> latenciesMs = new ArrayList<>();
    String target = "gpu-1";
    for (int round = 0; round < 10; round++) {
      target = target.equals("gpu-1") ? "gpu-2" : "gpu-1";
      FlowHttpServer editor = instances.get(round % 3);
      HttpResponse<String> edit = admin(editor, "PUT", "/v1.0/frontends/main", mainOver(target));
      assertThat(edit.statusCode()).as(edit.body()).isEqualTo(200);
      long edited = System.nanoTime();
      for (FlowHttpServer other : instances) {
        if (other == editor) continue;
        String answered;
        do {
          answered = answeringBackend(other);
          assertThat(Duration.ofNanos(System.nanoTime() - edited))
              .as("round %d: instance on port %d still routes to %s", round, other.port(), answered)
              .isLessThan(Duration.ofSeconds(1));
        } while (!answered.equals(target));
        latenciesMs.add((System.nanoTime() - edited) / 1_000_000);
      }
      // The editing instance applies its own write before answering the admin call.
      assertThat(answeringBackend(editor)).isEqualTo(target);
    }
    Collections.sort(latenciesMs);
    System.out.printf("Edit-to-routing latency on the other instances over %d observations: p50 %d ms, max %d ms%n",
        latenciesMs.size(), latenciesMs.get(latenciesMs.size() / 2), latenciesMs.get(latenciesMs.size() - 1));
  }

  @Test
  void whileTheDatabaseRefusesConnectionsInstancesKeepRoutingAndCatchUpWhenItReturns() throws Exception {
    assertThat(admin(instances.get(0), "PUT", "/v1.0/backends", backendJson(gpu2)).statusCode()).isEqualTo(201);
    refuseConnections(true);
    try {
      for (FlowHttpServer instance : instances) assertThat(answeringBackend(instance)).isEqualTo("gpu-1");
      long start = System.nanoTime();
      HttpResponse<String> failed = admin(instances.get(1), "PUT", "/v1.0/frontends/main", mainOver("gpu-2"));
      assertThat(failed.statusCode()).as(failed.body()).isEqualTo(503);
      assertThat(failed.headers().firstValue("Retry-After")).isPresent();
      assertThat(failed.body()).contains(pg.url(db));
      assertThat(Duration.ofNanos(System.nanoTime() - start)).as("the admin call waited for the pool, not forever")
          .isLessThan(Duration.ofSeconds(10));
      for (FlowHttpServer instance : instances) assertThat(answeringBackend(instance)).isEqualTo("gpu-1");
    } finally {
      refuseConnections(false);
    }
    // Back: an edit through one instance reaches the others once their watches have reconnected.
    // A pooled connection the outage ended may fail one more call (503, as Retry-After invites a retry).
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    HttpResponse<String> edit = admin(instances.get(1), "PUT", "/v1.0/frontends/main", mainOver("gpu-2"));
    while (edit.statusCode() == 503 && System.nanoTime() < deadline) {
      Thread.sleep(100);
      edit = admin(instances.get(1), "PUT", "/v1.0/frontends/main", mainOver("gpu-2"));
    }
    assertThat(edit.statusCode()).as(edit.body()).isEqualTo(200);
    for (FlowHttpServer instance : instances) {
      while (!answeringBackend(instance).equals("gpu-2")) {
        assertThat(System.nanoTime()).as("instance on port %d never caught up", instance.port()).isLessThan(deadline);
        Thread.sleep(50);
      }
    }
  }

  /** Turns the database's connections off (ending every open one) or on again, from the server's other database. */
  private void refuseConnections(boolean refuse) throws Exception {
    try (Connection c = pg.connect("postgres"); Statement s = c.createStatement()) {
      s.execute("ALTER DATABASE " + db + " ALLOW_CONNECTIONS " + !refuse);
      if (refuse) {
        s.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + db + "'");
      }
    }
  }

  private static String mainOver(String backend) {
    return "{\"Identifier\":\"main\",\"Hostname\":\"*\",\"Backends\":[\"" + backend + "\"]}";
  }

  private String answeringBackend(FlowHttpServer instance) throws Exception {
    HttpResponse<String> answer = http.send(HttpRequest.newBuilder(url(instance, "/api/generate"))
        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"llama3\",\"prompt\":\"hi\",\"stream\":false}"))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
    return answer.headers().firstValue("X-OllamaFlow-Backend").orElseThrow();
  }

  private HttpResponse<String> admin(FlowHttpServer instance, String method, String path, String body)
      throws Exception {
    return http.send(HttpRequest.newBuilder(url(instance, path))
        .header("Authorization", "Bearer " + ADMIN_TOKEN)
        .header("Content-Type", "application/json")
        .method(method, HttpRequest.BodyPublishers.ofString(body))
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  private static URI url(FlowHttpServer instance, String path) {
    return URI.create("http://127.0.0.1:" + instance.port() + path);
  }

  private static Backend backend(SimulatedOllama sim) {
    return Backend.builder(sim.id()).hostname("127.0.0.1").port(sim.port()).build();
  }

  private static String backendJson(SimulatedOllama sim) {
    return "{\"Identifier\":\"" + sim.id() + "\",\"Hostname\":\"127.0.0.1\",\"Port\":" + sim.port() + "}";
  }

  private <T extends AutoCloseable> T closeLater(T resource) {
    closing.add(resource);
    return resource;
  }
}
