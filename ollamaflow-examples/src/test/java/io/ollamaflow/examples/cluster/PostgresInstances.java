package io.ollamaflow.examples.cluster;

import io.ollamaflow.api.Backend;
import io.ollamaflow.api.Frontend;
import io.ollamaflow.core.FlowCluster;
import io.ollamaflow.core.http.FlowHttpServer;
import io.ollamaflow.examples.sim.SimulatedOllama;
import io.ollamaflow.postgres.PostgresConfigStore;
import io.ollamaflow.postgres.PostgresLiveState;
import io.ollamaflow.postgres.TestPostgres;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * OllamaFlow instances as an operator runs them behind an L4 balancer: each a FlowCluster with its
 * own PostgresConfigStore and PostgresLiveState on one database, serving HTTP on its own loopback
 * port, in front of simulated Ollama backends. Closes everything it started.
 */
final class PostgresInstances implements AutoCloseable {
  static final String ADMIN_TOKEN = "scenario-admin";

  /** One instance; closing it takes it away as a stopped process would (its port refuses). */
  record Instance(FlowCluster cluster, FlowHttpServer http, PostgresConfigStore store, PostgresLiveState live)
      implements AutoCloseable {
    int port() {
      return http.port();
    }

    @Override
    public void close() {
      http.close();
      cluster.close();
      live.close();
      store.close();
    }
  }

  /** What an instance answered to a generate request: status, the routing headers and {@code Retry-After}. */
  record Answer(int status, String backend, boolean sticky, String retryAfter, String body) {}

  /** A step of {@link #eventually} that may fail with an exception. */
  interface Attempt<T> {
    T run() throws Exception;
  }

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final List<AutoCloseable> closing = new ArrayList<>();
  final List<SimulatedOllama> backends = new ArrayList<>();
  final List<Instance> instances = new ArrayList<>();

  /**
   * {@code backendCount} simulated Ollamas, a catch-all sticky frontend "main" over all of them
   * (round-robin), and {@code instanceCount} instances on database {@code db}.
   */
  static PostgresInstances start(TestPostgres pg, String db, int backendCount, int instanceCount) throws IOException {
    return start(pg, db, backendCount, instanceCount, Clock.systemUTC(), UnaryOperator.identity(),
        PostgresLiveState.DEFAULT_TIMEOUT);
  }

  /**
   * As {@link #start(TestPostgres, String, int, int)}, every instance on {@code clock}, the
   * frontend "main" further configured by {@code main}, and each live-state call allowed
   * {@code liveStateTimeout} before the instance decides on its own memory.
   */
  static PostgresInstances start(TestPostgres pg, String db, int backendCount, int instanceCount, Clock clock,
      UnaryOperator<Frontend.Builder> main, Duration liveStateTimeout) throws IOException {
    PostgresInstances all = new PostgresInstances();
    try {
      List<String> ids = new ArrayList<>();
      try (PostgresConfigStore seed = pg.store(db).build()) {
        for (int i = 1; i <= backendCount; i++) {
          SimulatedOllama sim = all.closeLater(SimulatedOllama.builder().id("gpu-" + i).tokenDelay(Duration.ZERO).start());
          all.backends.add(sim);
          seed.putBackend(Backend.builder(sim.id()).hostname("127.0.0.1").port(sim.port()).build());
          ids.add(sim.id());
        }
        seed.putFrontend(main.apply(Frontend.builder("main").backends(ids).useStickySessions(true)).build());
      }
      for (int i = 0; i < instanceCount; i++) {
        PostgresConfigStore store = pg.store(db).build();
        PostgresLiveState live = pg.liveState(db).timeout(liveStateTimeout).build();
        FlowCluster cluster = FlowCluster.builder().configStore(store).liveState(live).disableActiveHealthChecks()
            .clock(clock).adminBearerTokens(List.of(ADMIN_TOKEN)).build();
        FlowHttpServer server = FlowHttpServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
            cluster.httpHandler());
        all.instances.add(all.closeLater(new Instance(cluster, server, store, live)));
      }
      return all;
    } catch (IOException | RuntimeException e) {
      all.close();
      throw e;
    }
  }

  Instance get(int index) {
    return instances.get(index);
  }

  /** Takes an instance away now, as a stopped process: its port refuses from here on. */
  void stop(Instance instance) {
    closing.remove(instance);
    instance.close();
  }

  /** A non-streamed generate through this instance, in the conversation named (the sticky key). */
  Answer generate(Instance instance, String conversation) throws IOException, InterruptedException {
    return generate(instance, HttpRequest.newBuilder().header("X-Conversation-Id", conversation));
  }

  /** A non-streamed generate through this instance presenting API key {@code secret} (as a Bearer token). */
  Answer generateWithKey(Instance instance, String secret) throws IOException, InterruptedException {
    return generate(instance, HttpRequest.newBuilder().header("Authorization", "Bearer " + secret));
  }

  /** As {@link #generateWithKey}, in the conversation named. */
  Answer generateWithKey(Instance instance, String secret, String conversation) throws IOException, InterruptedException {
    return generate(instance, HttpRequest.newBuilder().header("Authorization", "Bearer " + secret)
        .header("X-Conversation-Id", conversation));
  }

  private Answer generate(Instance instance, HttpRequest.Builder headers) throws IOException, InterruptedException {
    HttpResponse<String> answer = http.send(headers.uri(url(instance, "/api/generate"))
        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"llama3\",\"prompt\":\"hi\",\"stream\":false}"))
        .build(), HttpResponse.BodyHandlers.ofString());
    return new Answer(answer.statusCode(), answer.headers().firstValue("X-OllamaFlow-Backend").orElse(null),
        answer.headers().firstValue("X-OllamaFlow-Sticky").orElse("False").equals("True"),
        answer.headers().firstValue("Retry-After").orElse(null), answer.body());
  }

  /** An admin call through this instance with the admin token. */
  HttpResponse<String> admin(Instance instance, String method, String path, String body)
      throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(url(instance, path))
        .header("Authorization", "Bearer " + ADMIN_TOKEN)
        .header("Content-Type", "application/json")
        .method(method, HttpRequest.BodyPublishers.ofString(body))
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The frontend "main" over these backends, as admin JSON, still sticky. */
  static String mainOver(List<String> backendIds) {
    return "{\"Identifier\":\"main\",\"Hostname\":\"*\",\"UseStickySessions\":true,\"Backends\":[\""
        + String.join("\",\"", backendIds) + "\"]}";
  }

  /**
   * Tries until {@code done} holds, for up to 30 s, 100 ms apart: what is awaited (a reconnecting
   * pool, a notified store, a flush) comes at its own pace; the bound only ends a test that broke.
   */
  static <T> T eventually(Attempt<T> attempt, Predicate<T> done) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    T last = null;
    Exception lastError = null;
    while (System.nanoTime() < deadline) {
      try {
        last = attempt.run();
        if (done.test(last)) return last;
      } catch (IOException e) {
        lastError = e;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("not done within 30 s; last: " + last, lastError);
  }

  private static URI url(Instance instance, String path) {
    return URI.create("http://127.0.0.1:" + instance.port() + path);
  }

  private <T extends AutoCloseable> T closeLater(T resource) {
    closing.add(resource);
    return resource;
  }

  @Override
  public void close() {
    List<AutoCloseable> reversed = new ArrayList<>(closing);
    Collections.reverse(reversed);
    for (AutoCloseable c : reversed) {
      try {
        c.close();
      } catch (Exception e) {
        System.err.println("closing " + c + ": " + e);
      }
    }
  }
}
