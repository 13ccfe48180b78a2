package io.ollamaflow.examples.cluster;

import io.ollamaflow.api.Backend;
import io.ollamaflow.api.Frontend;
import io.ollamaflow.api.LiveState;
import io.ollamaflow.api.LiveState.SessionKey;
import io.ollamaflow.api.LiveState.WindowCount;
import io.ollamaflow.api.StoreUnavailableException;
import io.ollamaflow.core.FlowCluster;
import io.ollamaflow.core.InMemoryConfigStore;
import io.ollamaflow.core.http.FlowHttpServer;
import io.ollamaflow.examples.sim.SimulatedOllama;
import io.ollamaflow.postgres.PostgresLiveState;
import io.ollamaflow.postgres.TestPostgres;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * What sharing the live state in PostgreSQL costs per request: {@code bash bench/livestate.sh}.
 * Part 1 times each shared call on its own (PostgreSQL on loopback, started by TestPostgres):
 * a session lookup that finds its session, a bind, a counter addition; one caller, then eight at
 * once. Part 2 times whole requests through two clusters side by side, one on the in-memory state
 * and one on PostgresLiveState, over one simulated Ollama answering at once, in interleaved
 * blocks: a repeated conversation (one lookup per request) and a new conversation each request
 * (a lookup that misses and a bind). Prints p50 and p99 in microseconds.
 */
public final class LiveStateCostBenchmark {
  private static final Duration TTL = Duration.ofMinutes(30);
  private static final AtomicInteger failures = new AtomicInteger();

  public static void main(String[] args) throws Exception {
    int calls = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
    TestPostgres pg = TestPostgres.get();
    String db = pg.newDatabase();
    try (PostgresLiveState shared = pg.liveState(db).build()) {
      calls(shared, calls);
      requests(shared, calls);
    }
    System.exit(0); // TestPostgres stops its server in a shutdown hook
  }

  private static void calls(LiveState state, int calls) throws Exception {
    Instant window = WindowCount.windowStart(Instant.now(), Duration.ofMinutes(1));
    SessionKey known = new SessionKey("fe", "conversation-known");
    state.bindSession(known, "gpu-1", TTL);
    System.out.println("## PostgresLiveState, one call (us)");
    System.out.println("| call | callers | p50 | p99 | failed (timeout) |");
    System.out.println("|---|---|---|---|---|");
    for (int callers : new int[] {1, 8}) {
      report("session lookup (found)", callers, time(calls, callers, i -> state.lookupSession(known, TTL)));
      report("session bind", callers, time(calls, callers, i -> state.bindSession(new SessionKey("fe", "c" + i), "gpu-1", TTL)));
      report("counter addition", callers, time(calls, callers,
          i -> state.addToWindow(new WindowCount("apikey:k" + (i % 4) + ":requests", window, Duration.ofMinutes(1), 1))));
    }
  }

  private static void requests(LiveState shared, int requests) throws Exception {
    try (SimulatedOllama sim = SimulatedOllama.builder().id("gpu-1").tokenDelay(Duration.ZERO).tokens(1).start()) {
      FlowHttpServer local = serve(sim, null);
      FlowHttpServer onPostgres = serve(sim, shared);
      HttpClient http = HttpClient.newHttpClient();
      System.out.println();
      System.out.println("## One request through the proxy, sticky frontend (us)");
      System.out.println("| live state | conversation | p50 | p99 |");
      System.out.println("|---|---|---|---|");
      for (boolean fresh : new boolean[] {false, true}) {
        String mode = fresh ? "new each request (lookup miss + bind)" : "repeated (lookup hit)";
        List<Long> inMemory = new ArrayList<>();
        List<Long> postgres = new ArrayList<>();
        int block = 250;
        for (int done = 0; done < requests; done += block) {
          inMemory.addAll(block(http, local, block, fresh, done));
          postgres.addAll(block(http, onPostgres, block, fresh, done));
        }
        long[] a = percentiles(inMemory);
        long[] b = percentiles(postgres);
        System.out.printf("| in memory | %s | %d | %d |%n", mode, a[0], a[1]);
        System.out.printf("| PostgreSQL | %s | %d | %d |%n", mode, b[0], b[1]);
        System.out.printf("| added | %s | %+d | %+d |%n", mode, b[0] - a[0], b[1] - a[1]);
      }
      local.close();
      onPostgres.close();
    }
  }

  private static FlowHttpServer serve(SimulatedOllama sim, LiveState shared) throws Exception {
    InMemoryConfigStore store = new InMemoryConfigStore();
    store.putBackend(Backend.builder(sim.id()).hostname("127.0.0.1").port(sim.port()).build());
    store.putFrontend(Frontend.builder("main").backends(List.of(sim.id())).useStickySessions(true).build());
    FlowCluster.Builder builder = FlowCluster.builder().configStore(store).disableActiveHealthChecks();
    if (shared != null) builder.liveState(shared);
    return FlowHttpServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), builder.build().httpHandler());
  }

  private static List<Long> block(HttpClient http, FlowHttpServer server, int count, boolean fresh, int offset)
      throws Exception {
    List<Long> micros = new ArrayList<>(count);
    URI uri = URI.create("http://127.0.0.1:" + server.port() + "/api/generate");
    for (int i = 0; i < count; i++) {
      String conversation = fresh ? "c-" + server.port() + "-" + (offset + i) : "repeated";
      HttpRequest request = HttpRequest.newBuilder(uri).header("X-Conversation-Id", conversation)
          .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"llama3\",\"prompt\":\"hi\",\"stream\":false}")).build();
      long start = System.nanoTime();
      HttpResponse<String> answer = http.send(request, HttpResponse.BodyHandlers.ofString());
      micros.add((System.nanoTime() - start) / 1000);
      if (answer.statusCode() != 200) throw new IllegalStateException("answered " + answer.statusCode() + ": " + answer.body());
    }
    return micros;
  }

  /** Microseconds per call; {@code callers} threads share the calls; the first fifth is warm-up and dropped. */
  private static List<Long> time(int calls, int callers, IntConsumer call) throws Exception {
    failures.set(0);
    ExecutorService pool = Executors.newFixedThreadPool(callers);
    try {
      List<Future<List<Long>>> parts = new ArrayList<>();
      for (int t = 0; t < callers; t++) {
        int thread = t;
        parts.add(pool.submit(() -> {
          List<Long> micros = new ArrayList<>();
          for (int i = thread; i < calls; i += callers) {
            long start = System.nanoTime();
            try {
              call.accept(i);
            } catch (StoreUnavailableException e) {
              // Past the 200 ms timeout: the cluster would have decided locally. Counted, timed as it was.
              failures.incrementAndGet();
            }
            if (i >= calls / 5) micros.add((System.nanoTime() - start) / 1000);
          }
          return micros;
        }));
      }
      List<Long> all = new ArrayList<>();
      for (Future<List<Long>> part : parts) all.addAll(part.get());
      return all;
    } finally {
      pool.shutdownNow();
    }
  }

  private static void report(String what, int callers, List<Long> micros) {
    long[] p = percentiles(micros);
    System.out.printf("| %s | %d | %d | %d | %d |%n", what, callers, p[0], p[1], failures.get());
  }

  private static long[] percentiles(List<Long> values) {
    long[] sorted = values.stream().mapToLong(Long::longValue).toArray();
    Arrays.sort(sorted);
    return new long[] {sorted[sorted.length / 2], sorted[(int) Math.ceil(sorted.length * 0.99) - 1]};
  }
}
