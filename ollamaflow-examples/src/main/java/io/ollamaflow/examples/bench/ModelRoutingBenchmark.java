package io.ollamaflow.examples.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ollamaflow.api.ApiFormat;
import io.ollamaflow.api.Backend;
import io.ollamaflow.api.ErrorCode;
import io.ollamaflow.api.FlowException;
import io.ollamaflow.api.Frontend;
import io.ollamaflow.core.FlowAdmin;
import io.ollamaflow.core.FlowCluster;
import io.ollamaflow.core.InMemoryConfigStore;
import io.ollamaflow.core.http.FlowHttpServer;
import io.ollamaflow.examples.sim.SimulatedOllama;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Routing policies on workloads where routing decides latency, against simulated servers that
 * behave like real ones (models load on first use, a fixed number of parallel slots beyond which
 * requests queue inside the server). Three scenarios:
 *
 * <ol>
 *   <li><b>A</b> (the scenario of issue 4): 4 models asked 40/30/20/10 % over 3 Ollama backends
 *       that hold every model but keep one in memory, 300 ms cold loads, 8 slots per backend with
 *       MaxParallelRequests 8 configured to match;
 *   <li><b>B</b> (issue 13): the same mix, 500 ms cold loads, 2 slots per backend that the proxy is
 *       NOT told about (MaxParallelRequests left at its default);
 *   <li><b>C</b> (issue 13): two vLLM backends, one kept busy by clients that bypass the proxy (its
 *       /metrics shows a waiting queue), sequential requests through the proxy.
 * </ol>
 *
 * A and B run 4 closed-loop clients sending non-streaming generate requests, under round-robin
 * (plus the same without model discovery, as nginx would route) and model-affinity; C runs
 * round-robin, model-affinity and least-requests. A policy the cluster refuses is reported as
 * unavailable. Prints markdown tables and writes them to {@code target/model-routing-benchmark.md}.
 *
 * <p>Run: {@code bash bench/routing.sh [requests]} (default {@value #DEFAULT_REQUESTS} per run of A
 * and B; C sends a fifth of that). System properties (through {@code JAVA_OPTS}):
 * {@code routing.scenarios} runs only the scenarios named by its letters (e.g. {@code B});
 * {@code routing.slowest=N} adds, under each run of A and B, its N slowest requests with the backend
 * that answered and the durations that backend reported, to see where the tail's time goes.
 */
public final class ModelRoutingBenchmark {
  static final int DEFAULT_REQUESTS = 160;
  private static final List<String> MODELS = List.of("llama3.2:latest", "qwen2.5:7b", "mistral:latest", "phi3:latest");
  /** How often each model is asked for: a skewed mix, as real traffic is. */
  private static final double[] SHARE = {0.4, 0.3, 0.2, 0.1};
  private static final int CLIENTS = 4;
  private static final int BACKENDS = 3;
  private static final String VLLM_MODEL = "Qwen/Qwen3-8B";
  private static final Duration DISCOVERY_TIMEOUT = Duration.ofSeconds(15);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  /** One Ollama scenario: the simulators' behaviour and what the proxy is told about it. */
  private record OllamaScenario(String name, Duration coldLoad, int slots, Optional<Integer> proxyLimit,
      int tokens, Duration tokenDelay) {
    String describe() {
      return String.format("%d simulated Ollama backends holding every model, 1 in memory at a time (one preloaded"
              + " each), cold load %d ms, %d parallel slots per backend, MaxParallelRequests %s; %d tokens %d ms apart",
          BACKENDS, coldLoad.toMillis(), slots,
          proxyLimit.map(limit -> limit + " (configured to match)")
              .orElse(Backend.DEFAULT_MAX_PARALLEL_REQUESTS + " (the default; the proxy is not told)"),
          tokens, tokenDelay.toMillis());
    }
  }

  /**
   * One request of a closed loop: its latency at the client, and what the answer said of it (the
   * backend from the proxy's header, Ollama's {@code load_duration} and {@code total_duration}; -1
   * when absent).
   */
  private record Timed(String model, long nanos, String backend, long loadNanos, long totalNanos) {
    String row() {
      return String.format("| %.1f | %s | %s | %.1f | %.1f | %.1f |", nanos / 1e6, model, backend, loadNanos / 1e6,
          totalNanos / 1e6, (nanos - totalNanos) / 1e6);
    }
  }

  /** One run's outcome; {@code perBackend} counts the requests each simulator answered. */
  private record Result(String policy, List<Long> latenciesNanos, int coldLoads, List<Integer> perBackend,
      List<Timed> requests) {
    double mean() {
      return latenciesNanos.stream().mapToLong(Long::longValue).average().orElse(0) / 1e6;
    }

    double percentile(double p) {
      List<Long> sorted = new ArrayList<>(latenciesNanos);
      Collections.sort(sorted);
      return sorted.get((int) Math.min(sorted.size() - 1, Math.ceil(p * sorted.size()) - 1)) / 1e6;
    }

    String row() {
      return String.format("| %s | %.1f | %.1f | %.1f | %d | %s |", policy, mean(), percentile(0.5),
          percentile(0.95), coldLoads, perBackend.stream().map(String::valueOf).collect(Collectors.joining(" / ")));
    }
  }

  private ModelRoutingBenchmark() {}

  public static void main(String[] args) throws Exception {
    int requests = args.length > 0 ? Integer.parseInt(args[0]) : DEFAULT_REQUESTS;
    List<String> out = new ArrayList<>();
    out.add("Routing benchmark: " + requests + " non-streaming generate requests per run of A and B from " + CLIENTS
        + " closed-loop clients, models " + MODELS + " asked " + shares() + "; JDK " + Runtime.version() + ", "
        + Runtime.getRuntime().availableProcessors() + " cores.");
    out.add("");
    List<String> workload = workload(requests, 42);
    String scenarios = System.getProperty("routing.scenarios", "ABC");
    if (scenarios.contains("A")) out.addAll(ollamaScenario(new OllamaScenario("A (issue 4)", Duration.ofMillis(300), 8, Optional.of(8), 4,
        Duration.ofMillis(5)), workload));
    if (scenarios.contains("B")) out.addAll(ollamaScenario(new OllamaScenario("B (issue 13)", Duration.ofMillis(500), 2, Optional.empty(), 8,
        Duration.ofMillis(5)), workload));
    if (scenarios.contains("C")) out.addAll(busyVllmScenario(Math.max(10, requests / 5)));
    String table = String.join("\n", out);
    System.out.println(table);
    Path dir = Path.of("ollamaflow-examples", "target");
    if (!Files.isDirectory(dir)) {
      dir = Path.of("target");
    }
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("model-routing-benchmark.md"), table + "\n");
  }

  private static List<String> ollamaScenario(OllamaScenario scenario, List<String> workload) throws Exception {
    log("scenario " + scenario.name());
    List<String> lines = new ArrayList<>(List.of(
        "### Scenario " + scenario.name(),
        "",
        scenario.describe() + ".",
        "",
        "| policy | mean ms | p50 ms | p95 ms | cold loads | requests per backend |",
        "|---|---:|---:|---:|---:|---|"));
    Optional<Result> blind = runOllama(scenario, Frontend.ROUND_ROBIN, false, workload);
    Optional<Result> roundRobin = runOllama(scenario, Frontend.ROUND_ROBIN, true, workload);
    Optional<Result> affinity = runOllama(scenario, Frontend.MODEL_AFFINITY, true, workload);
    blind.ifPresent(r -> lines.add(r.row()));
    roundRobin.ifPresent(r -> lines.add(r.row()));
    lines.add(affinity.map(Result::row).orElse("| " + Frontend.MODEL_AFFINITY + " | unavailable on this build | | | | |"));
    lines.add("");
    if (roundRobin.isPresent() && affinity.isPresent()) {
      Result rr = roundRobin.get();
      Result ma = affinity.get();
      lines.add(String.format("Mean latency round-robin / model-affinity: %.2fx (issue 13 target for B: >= 2.2x);"
              + " model-affinity p95 %.1f ms vs round-robin %.1f ms: %s.", rr.mean() / ma.mean(),
          ma.percentile(0.95), rr.percentile(0.95), ma.percentile(0.95) <= rr.percentile(0.95) ? "no worse" : "WORSE"));
    } else {
      lines.add("No round-robin / model-affinity ratio: " + Frontend.MODEL_AFFINITY + " is not available on this build.");
    }
    lines.add("");
    int slowest = Integer.getInteger("routing.slowest", 0);
    if (slowest > 0) {
      for (Optional<Result> run : List.of(blind, roundRobin, affinity)) run.ifPresent(r -> lines.addAll(slowest(r, slowest)));
    }
    return lines;
  }

  /** The run's {@code count} slowest requests; the proxy's share is the latency less the backend's total_duration. */
  private static List<String> slowest(Result result, int count) {
    List<String> lines = new ArrayList<>(List.of("Slowest requests of " + result.policy() + ":", "",
        "| ms | model | backend | load_duration ms | total_duration ms | outside the backend ms |",
        "|---:|---|---|---:|---:|---:|"));
    result.requests().stream().sorted((a, b) -> Long.compare(b.nanos(), a.nanos())).limit(count)
        .forEach(r -> lines.add(r.row()));
    lines.add("");
    return lines;
  }

  /**
   * One run of an Ollama scenario under one policy; empty when the cluster refuses the policy.
   * Without discovery the proxy knows nothing about the backends' models, as nginx would not.
   */
  private static Optional<Result> runOllama(OllamaScenario scenario, String policy, boolean discovery,
      List<String> workload) throws Exception {
    List<SimulatedOllama> sims = new ArrayList<>();
    List<Backend> backends = new ArrayList<>();
    try {
      for (int i = 0; i < BACKENDS; i++) {
        SimulatedOllama sim = SimulatedOllama.builder().id("gpu-" + (i + 1)).models(MODELS)
            .loadedModels(List.of(MODELS.get(i))).residentModels(1).coldLoadDelay(scenario.coldLoad())
            .parallel(scenario.slots()).tokens(scenario.tokens()).tokenDelay(scenario.tokenDelay()).start();
        sims.add(sim);
        Backend.Builder backend = Backend.builder(sim.id()).hostname("127.0.0.1").port(sim.port());
        scenario.proxyLimit().ifPresent(backend::maxParallelRequests);
        backends.add(backend.build());
      }
      String name = discovery ? policy : policy + ", no model discovery (as nginx)";
      Consumer<FlowCluster.Builder> options = discovery
          ? b -> b.modelRefreshInterval(Duration.ofMillis(250))
          : FlowCluster.Builder::disableActiveHealthChecks;
      Optional<Proxy> started = Proxy.start(backends, policy, options, discovery);
      if (started.isEmpty()) {
        return Optional.empty();
      }
      try (Proxy proxy = started.get()) {
        log("  " + name);
        List<Timed> requests = closedLoop(workload, model -> timed(model, proxy.exchange("/api/generate",
            "{\"model\":\"" + model + "\",\"prompt\":\"Hi\",\"stream\":false}")));
        int coldLoads = sims.stream().mapToInt(SimulatedOllama::coldLoads).sum();
        return Optional.of(new Result(name, requests.stream().map(Timed::nanos).toList(), coldLoads,
            answered(sims, "/api/generate", null), requests));
      }
    } finally {
      sims.forEach(SimulatedOllama::close);
    }
  }

  /** Runs the workload from {@link #CLIENTS} clients, each sending its next request when answered. */
  private static List<Timed> closedLoop(List<String> workload, Call call) throws Exception {
    List<Timed> latencies = Collections.synchronizedList(new ArrayList<>());
    ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int c = 0; c < CLIENTS; c++) {
        int client = c;
        done.add(clients.submit(() -> {
          for (int i = client; i < workload.size(); i += CLIENTS) {
            latencies.add(call.timed(workload.get(i)));
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      clients.shutdownNow();
    }
    return latencies;
  }

  private static List<String> busyVllmScenario(int requests) throws Exception {
    log("scenario C");
    int slots = 2;
    int directClients = 6;
    List<String> lines = new ArrayList<>(List.of(
        "### Scenario C (issue 13)",
        "",
        "2 simulated vLLM backends serving " + VLLM_MODEL + " with max_num_seqs " + slots + ", 5 tokens 20 ms apart;"
            + " vllm-busy also serves " + directClients + " closed-loop clients that bypass the proxy, so its /metrics"
            + " shows about " + (directClients - slots) + " requests waiting. " + requests
            + " sequential chat requests through the proxy.",
        "",
        "| policy | to vllm-idle | to vllm-busy | share to idle | mean ms | p95 ms |",
        "|---|---:|---:|---:|---:|---:|"));
    for (String policy : List.of(Frontend.ROUND_ROBIN, Frontend.MODEL_AFFINITY, Frontend.LEAST_REQUESTS)) {
      lines.add(runBusyVllm(policy, requests, slots, directClients)
          .orElse("| " + policy + " | unavailable on this build | | | | |"));
    }
    lines.add("");
    lines.add("Issue 13 target: at least 80 % of new requests to vllm-idle.");
    return lines;
  }

  private static Optional<String> runBusyVllm(String policy, int requests, int slots, int directClients)
      throws Exception {
    List<SimulatedOllama> sims = new ArrayList<>();
    List<Backend> backends = new ArrayList<>();
    AtomicBoolean stop = new AtomicBoolean();
    ExecutorService direct = Executors.newFixedThreadPool(directClients);
    try {
      for (String id : List.of("vllm-idle", "vllm-busy")) {
        SimulatedOllama sim = SimulatedOllama.builder().id(id).flavor(SimulatedOllama.Flavor.VLLM)
            .models(List.of(VLLM_MODEL)).parallel(slots).tokens(5).tokenDelay(Duration.ofMillis(20)).start();
        sims.add(sim);
        backends.add(Backend.builder(id).hostname("127.0.0.1").port(sim.port()).apiFormat(ApiFormat.OPENAI)
            .healthCheckUrl("/health").build());
      }
      SimulatedOllama busy = sims.get(1);
      for (int i = 0; i < directClients; i++) {
        direct.submit(() -> {
          while (!stop.get()) {
            send(busy.baseUrl() + "/v1/chat/completions", chat("direct"));
          }
          return null;
        });
      }
      Optional<Proxy> started = Proxy.start(backends, policy, b -> b.modelRefreshInterval(Duration.ofMillis(250)), true);
      if (started.isEmpty()) {
        return Optional.empty();
      }
      try (Proxy proxy = started.get()) {
        log("  " + policy);
        awaitQueue(busy);
        List<Long> latencies = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
          latencies.add(proxy.post("/v1/chat/completions", chat("via-proxy")));
        }
        List<Integer> counts = answered(sims, "/v1/chat/completions", "via-proxy");
        Result result = new Result(policy, latencies, 0, counts, List.of());
        return Optional.of(String.format("| %s | %d | %d | %.0f %% | %.1f | %.1f |", policy, counts.get(0),
            counts.get(1), 100.0 * counts.get(0) / requests, result.mean(), result.percentile(0.95)));
      }
    } finally {
      stop.set(true);
      direct.shutdownNow();
      sims.forEach(SimulatedOllama::close);
    }
  }

  private static void awaitQueue(SimulatedOllama busy) throws InterruptedException {
    long deadline = System.nanoTime() + DISCOVERY_TIMEOUT.toNanos();
    while (busy.queuedRequests() == 0) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the direct clients did not make " + busy.id() + " queue");
      }
      Thread.sleep(10);
    }
  }

  private static String chat(String text) {
    return "{\"model\":\"" + VLLM_MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]}";
  }

  /** Requests each simulator answered on {@code path}, optionally only those whose body contains {@code marker}. */
  private static List<Integer> answered(List<SimulatedOllama> sims, String path, String marker) {
    return sims.stream().map(sim -> (int) sim.requests().stream()
            .filter(r -> r.path().equals(path))
            .filter(r -> marker == null || (r.bodyText() != null && r.bodyText().contains(marker)))
            .count())
        .toList();
  }

  /** A proxy over the given backends with frontend "bench" using {@code policy}. */
  private record Proxy(FlowCluster cluster, FlowHttpServer server) implements AutoCloseable {
    /** Empty when the cluster refuses the policy (not built in, no plug-in). */
    static Optional<Proxy> start(List<Backend> backends, String policy, Consumer<FlowCluster.Builder> options,
        boolean awaitDiscovery) throws Exception {
      if (!available(policy)) {
        return Optional.empty();
      }
      InMemoryConfigStore store = new InMemoryConfigStore();
      backends.forEach(store::putBackend);
      store.putFrontend(Frontend.builder("bench").loadBalancing(policy)
          .backends(backends.stream().map(Backend::identifier).toList()).timeoutMs(120_000).build());
      FlowCluster.Builder builder = FlowCluster.builder().configStore(store);
      options.accept(builder);
      FlowCluster cluster = builder.build();
      if (awaitDiscovery) {
        awaitModelsKnown(cluster.admin(), backends.size());
      }
      FlowHttpServer server =
          FlowHttpServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), cluster.httpHandler());
      return Optional.of(new Proxy(cluster, server));
    }

    /**
     * Whether the admin API accepts a frontend with this policy. Asked of a cluster without
     * backends, because a store written directly would fall back to round-robin silently.
     */
    static boolean available(String policy) {
      try (FlowCluster probe = FlowCluster.builder().configStore(new InMemoryConfigStore())
          .disableActiveHealthChecks().build()) {
        probe.admin().createFrontend(Frontend.builder("probe").loadBalancing(policy).build());
        return true;
      } catch (FlowException e) {
        if (e.code() != ErrorCode.BAD_REQUEST) {
          throw e;
        }
        log("  " + policy + ": unavailable (" + e.getMessage() + ")");
        return false;
      }
    }

    long post(String path, String body) throws IOException, InterruptedException {
      return exchange(path, body).nanos();
    }

    Reply exchange(String path, String body) throws IOException, InterruptedException {
      return ModelRoutingBenchmark.exchange("http://127.0.0.1:" + server.port() + path, body);
    }

    @Override
    public void close() {
      server.close();
      cluster.close();
    }
  }

  /** Waits until discovery has listed every backend's models, as it would have long before traffic. */
  private static void awaitModelsKnown(FlowAdmin admin, int backends) throws InterruptedException {
    long deadline = System.nanoTime() + DISCOVERY_TIMEOUT.toNanos();
    while (admin.health().stream().filter(h -> h.healthy() && h.modelsKnown()).count() < backends) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("model discovery did not list every backend: " + admin.health());
      }
      Thread.sleep(20);
    }
  }

  /** An answer with status 200 and how long it took from sending to its end. */
  private record Reply(long nanos, HttpResponse<String> response) {}

  /** Posts JSON and returns the latency in nanoseconds; anything but 200 fails the run. */
  private static long send(String url, String body) throws IOException, InterruptedException {
    return exchange(url, body).nanos();
  }

  private static Reply exchange(String url, String body) throws IOException, InterruptedException {
    long start = System.nanoTime();
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url))
            .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException(url + " answered " + response.statusCode() + ": " + response.body());
    }
    return new Reply(System.nanoTime() - start, response);
  }

  /** A generate request's reply, with the durations its Ollama answer reports. */
  private static Timed timed(String model, Reply reply) throws IOException {
    JsonNode answer = JSON.readTree(reply.response().body());
    return new Timed(model, reply.nanos(),
        reply.response().headers().firstValue("X-OllamaFlow-Backend").orElse("?"),
        answer.path("load_duration").asLong(-1), answer.path("total_duration").asLong(-1));
  }

  private interface Call {
    Timed timed(String model) throws IOException, InterruptedException;
  }

  /** The same seeded sequence of models for every run. */
  private static List<String> workload(int requests, long seed) {
    Random random = new Random(seed);
    List<String> models = new ArrayList<>(requests);
    for (int i = 0; i < requests; i++) {
      double r = random.nextDouble();
      int m = 0;
      for (double acc = SHARE[0]; r > acc && m < SHARE.length - 1; acc += SHARE[++m]) {
        // walk the cumulative shares
      }
      models.add(MODELS.get(m));
    }
    return models;
  }

  private static String shares() {
    List<String> parts = new ArrayList<>();
    for (double s : SHARE) {
      parts.add(Math.round(s * 100) + "%");
    }
    return String.join("/", parts);
  }

  private static void log(String message) {
    System.err.println("[routing] " + message);
  }
}
