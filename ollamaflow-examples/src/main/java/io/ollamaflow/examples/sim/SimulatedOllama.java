package io.ollamaflow.examples.sim;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fake Ollama server that speaks the real wire format over real HTTP on 127.0.0.1: the native
 * API (generate, chat, embed, tags, ps, show, pull, push, create, copy, delete, blobs) and the
 * OpenAI-compatible /v1 API. Answers are deterministic and name the server id ("Hello from
 * sim-1. This is ..."), so a test can tell which backend answered. Used by the standalone
 * server's demo mode, by scenario tests and by benchmarks.
 *
 * <p>Test hooks ({@link #requests()}, the counters, fault injection) are thread-safe and may be
 * called while requests run. Faults apply to inference requests only (/api/generate, /api/chat,
 * /api/embed, /api/embeddings and the /v1 POST routes), so health probes keep working.
 *
 * <p>Like a real Ollama it starts with nothing in memory ({@link Builder#loadedModels(List)}
 * preloads): the first inference request for a model loads it, which takes {@link
 * Builder#coldLoadDelay(Duration)} (concurrent requests share one load) and evicts the least
 * recently used idle model beyond {@link Builder#residentModels(int)} (OLLAMA_MAX_LOADED_MODELS).
 * Each loaded model runs {@link Builder#parallel(int)} requests at once (OLLAMA_NUM_PARALLEL);
 * further ones wait inside the server, first come first served, so time to first byte grows with
 * the requests in flight. A model expires keep_alive after its last use (the request's
 * {@code keep_alive}, else {@link Builder#keepAlive(Duration)}; 0 unloads it once answered).
 * /api/ps lists what is loaded, most recently used first, and final answers report the
 * load_duration waited. Requests sent straight to the simulator count like any other. The vLLM
 * flavor has no residency: one engine with {@link Builder#parallel(int)} running slots
 * (max_num_seqs) and a waiting queue, both shown on GET /metrics.
 */
public final class SimulatedOllama implements AutoCloseable {
  public static final String DEFAULT_ID = "sim";
  public static final List<String> DEFAULT_MODELS = List.of("llama3:latest");
  public static final Duration DEFAULT_TOKEN_DELAY = Duration.ofMillis(20);
  public static final int DEFAULT_TOKENS = 8;
  public static final String DEFAULT_VERSION = "0.12.6";
  /** Ollama's default OLLAMA_MAX_LOADED_MODELS for one GPU. */
  public static final int DEFAULT_RESIDENT_MODELS = 3;
  /** Short, so that tests stay fast; real loads take seconds. */
  public static final Duration DEFAULT_COLD_LOAD_DELAY = Duration.ofMillis(20);
  /** Requests one loaded Ollama model runs at once unless {@link Builder#parallel(int)} says otherwise. */
  public static final int DEFAULT_OLLAMA_PARALLEL = 4;
  /** vLLM's default max_num_seqs. */
  public static final int DEFAULT_VLLM_PARALLEL = 256;
  /** llama-server's slots unless {@link Builder#parallel(int)} says otherwise. */
  public static final int DEFAULT_LLAMA_CPP_PARALLEL = 4;

  /** Which server to imitate. */
  public enum Flavor {
    /** Ollama: the native API and its OpenAI-compatible /v1 layer. */
    OLLAMA(DEFAULT_OLLAMA_PARALLEL),
    /** An Ollama without the /v1 layer (as before 0.1.24): /v1 paths answer 404. */
    OLLAMA_NATIVE_ONLY(DEFAULT_OLLAMA_PARALLEL),
    /**
     * vLLM's OpenAI server: /v1 chat, completions, embeddings and models in vLLM's layout, /health,
     * and FastAPI's 404 for everything else (/api too). Model names are served exactly as given,
     * without Ollama's ":latest". Residency and {@link Builder#version(String)} do not apply;
     * {@link Builder#parallel(int)} is max_num_seqs, and GET /metrics reports the engine's load.
     */
    VLLM(DEFAULT_VLLM_PARALLEL),
    /**
     * llama.cpp's llama-server: the OpenAI-compatible /v1 routes (answered in the layout of
     * Ollama's /v1 layer), GET /health, GET /slots with each slot's is_processing, and GET /metrics
     * with llamacpp:requests_processing and llamacpp:requests_deferred. Model names are served as
     * given; residency does not apply; {@link Builder#parallel(int)} is --parallel.
     */
    LLAMA_CPP(DEFAULT_LLAMA_CPP_PARALLEL);

    private final int defaultParallel;

    Flavor(int defaultParallel) {
      this.defaultParallel = defaultParallel;
    }

    /** Whether Ollama's scheduler decides which models are loaded; else one engine serves all. */
    boolean ollama() {
      return this == OLLAMA || this == OLLAMA_NATIVE_ONLY;
    }
  }

  // Without TCP_NODELAY every small response waits about 40 ms on Nagle's algorithm. The JDK
  // reads this property once, when the first HttpServer of the JVM is created.
  private static final String NODELAY = "sun.net.httpserver.nodelay";
  // Room for benchmark bursts; the JDK default of 50 refuses connections under load.
  private static final int BACKLOG = 1024;

  private final SimState state;
  private final HttpServer server;
  private final ExecutorService executor;
  private final AtomicBoolean closed = new AtomicBoolean();

  private SimulatedOllama(SimState state, int port) throws IOException {
    this.state = state;
    if (System.getProperty(NODELAY) == null) {
      System.setProperty(NODELAY, "true");
    }
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), BACKLOG);
    SimHandler handler = new SimHandler(state);
    switch (state.flavor) {
      case OLLAMA -> {
        SimRoutes.register(handler, state);
        OpenAiRoutes.register(handler, state);
      }
      case OLLAMA_NATIVE_ONLY -> SimRoutes.register(handler, state);
      case VLLM -> VllmRoutes.register(handler, state);
      case LLAMA_CPP -> {
        LlamaCppRoutes.register(handler, state);
        OpenAiRoutes.register(handler, state);
      }
    }
    server.createContext("/", handler);
    executor = newExecutor(state.id);
    server.setExecutor(executor);
    server.start();
  }

  public static Builder builder() {
    return new Builder();
  }

  // Virtual threads (JDK 21+) make thousands of slow streams cheap; JDK 17 gets a cached pool.
  private static ExecutorService newExecutor(String id) {
    try {
      return (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
    } catch (ReflectiveOperationException e) {
      AtomicInteger threads = new AtomicInteger();
      return Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "sim-" + id + "-" + threads.incrementAndGet());
        thread.setDaemon(true);
        return thread;
      });
    }
  }

  /**
   * The vector every simulator answers for {@code text}, in any flavor and encoding: 8 floats,
   * L2-normalised, derived from the text's SHA-256. Lets a test check embeddings that went
   * through a proxy.
   */
  public static float[] embedding(String text) {
    return Answers.embedding(text);
  }

  public String id() {
    return state.id;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + port();
  }

  /** The canonical names of the installed models, newest first, as /api/tags lists them. */
  public List<String> models() {
    return state.catalog.installed().stream().map(ModelCatalog.Model::name).toList();
  }

  /** The requests received, oldest first; only the latest 10,000 are kept. */
  public List<Request> requests() {
    return state.requests();
  }

  public void clearRequests() {
    state.clearRequests();
  }

  /** Requests received and not yet fully answered. */
  public int activeRequests() {
    return state.active.get();
  }

  /** The most requests that were in flight at the same time since start. */
  public int maxConcurrentRequests() {
    return state.maxConcurrent.get();
  }

  /** Streams stopped early because writing to the client failed (the client went away). */
  public int cancelledStreams() {
    return state.cancelledStreams.get();
  }

  /** Models loaded by requests since start; preloaded models do not count. */
  public int coldLoads() {
    return state.residency.coldLoads();
  }

  /** Inference requests generating now, each holding a parallel slot. */
  public int runningRequests() {
    return state.occupancy.running();
  }

  /** Inference requests waiting inside the server now: for the scheduler, a model load or a slot. */
  public int queuedRequests() {
    return state.occupancy.waiting();
  }

  /** The most inference requests that waited inside the server at the same time since start. */
  public int maxQueuedRequests() {
    return state.occupancy.maxWaiting();
  }

  /** The next {@code count} inference requests answer {@code status} with an error body. */
  public void failNext(int count, int status) {
    checkCount(count);
    if (status < 400 || status > 599) {
      throw new IllegalArgumentException("status: " + status + " (expected: 400-599)");
    }
    state.faults.failNext(count, status);
  }

  /** The next {@code count} inference requests are read but never answered until {@link #close()}. */
  public void hangNext(int count) {
    checkCount(count);
    state.faults.hangNext(count);
  }

  /** From now on every stream drops the connection after {@code lines} lines, with no final chunk. */
  public void cutStreamAfter(int lines) {
    checkCount(lines);
    state.faults.cutStreamsAfter(lines);
  }

  public void clearFaults() {
    state.faults.clear();
  }

  /** Changes the delay between streamed lines, also for streams already running. */
  public void setTokenDelay(Duration delay) {
    state.tokenDelay = checkDelay(delay);
  }

  /** Stops at once: open connections are dropped and hung requests released. Idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    state.close();
    server.stop(0);
    executor.shutdownNow();
  }

  @Override
  public String toString() {
    return "SimulatedOllama{id=" + state.id + ", flavor=" + state.flavor + ", url=" + baseUrl() + "}";
  }

  private static void checkCount(int count) {
    if (count < 0) {
      throw new IllegalArgumentException("count: " + count + " (expected: >= 0)");
    }
  }

  private static Duration checkDelay(Duration delay) {
    return checkDelay(delay, "tokenDelay");
  }

  private static Duration checkDelay(Duration delay, String name) {
    Objects.requireNonNull(delay, name);
    if (delay.isNegative()) {
      throw new IllegalArgumentException(name + ": " + delay + " (expected: >= 0)");
    }
    return delay;
  }

  /**
   * One request as received. {@code path} and {@code query} are raw (percent-escapes kept;
   * query null when absent). {@code bodyText} is the UTF-8 body when it is under 64 KiB, else
   * null; length and SHA-256 (lower-case hex) always describe the whole body.
   */
  public record Request(String method, String path, String query, Map<String, List<String>> headers,
      long bodyLength, String bodySha256, String bodyText) {
    public Request {
      Map<String, List<String>> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      headers.forEach((name, values) -> copy.put(name, List.copyOf(values)));
      headers = Collections.unmodifiableMap(copy);
    }

    /** The first value of a header, looked up case-insensitively, or null. */
    public String header(String name) {
      List<String> values = headers.get(name);
      return values == null || values.isEmpty() ? null : values.get(0);
    }
  }

  /** Configuration for a simulated server; every setting has a default. */
  public static final class Builder {
    private String id = DEFAULT_ID;
    private Flavor flavor = Flavor.OLLAMA;
    private int port;
    private List<String> models = DEFAULT_MODELS;
    private List<String> loadedModels = List.of();
    private Duration tokenDelay = DEFAULT_TOKEN_DELAY;
    private int tokens = DEFAULT_TOKENS;
    private String version = DEFAULT_VERSION;
    private int residentModels = DEFAULT_RESIDENT_MODELS;
    private Duration coldLoadDelay = DEFAULT_COLD_LOAD_DELAY;
    private Duration keepAlive = KeepAlive.DEFAULT;
    private Clock clock = Clock.systemUTC();
    // 0: the flavor's default.
    private int parallel;

    private Builder() {}

    /** Appears in every generated answer. */
    public Builder id(String id) {
      this.id = requireText(id, "id");
      return this;
    }

    /** The server to imitate; default {@link Flavor#OLLAMA}. */
    public Builder flavor(Flavor flavor) {
      this.flavor = Objects.requireNonNull(flavor, "flavor");
      return this;
    }

    /** 0 (the default) picks a free port. */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port: " + port + " (expected: 0-65535)");
      }
      this.port = port;
      return this;
    }

    /**
     * Installed models; "llama3" means "llama3:latest" except for {@link Flavor#VLLM} and {@link
     * Flavor#LLAMA_CPP}, which serve names verbatim. May be empty.
     */
    public Builder models(List<String> models) {
      this.models = copyNames(models, "models");
      return this;
    }

    /**
     * The models in memory at start, the first one the most recently used; default none, as a
     * freshly started Ollama. Models that are not installed are dropped, the rest trimmed to
     * {@link #residentModels(int)}.
     */
    public Builder loadedModels(List<String> loadedModels) {
      this.loadedModels = copyNames(loadedModels, "loadedModels");
      return this;
    }

    /** The pause between streamed lines; a non-streamed answer takes tokens times this. */
    public Builder tokenDelay(Duration tokenDelay) {
      this.tokenDelay = checkDelay(tokenDelay);
      return this;
    }

    /** Tokens per answer unless the request sets options.num_predict or max_tokens. */
    public Builder tokens(int tokens) {
      checkCount(tokens);
      this.tokens = tokens;
      return this;
    }

    /**
     * How many models stay loaded at once (OLLAMA_MAX_LOADED_MODELS); loading one more evicts the
     * least recently used idle one, or waits for one to become idle. Default {@value
     * #DEFAULT_RESIDENT_MODELS}.
     */
    public Builder residentModels(int residentModels) {
      this.residentModels = checkPositive(residentModels, "residentModels");
      return this;
    }

    /**
     * How long loading a model takes; concurrent requests for that model wait for the same load.
     * Default {@link #DEFAULT_COLD_LOAD_DELAY}.
     */
    public Builder coldLoadDelay(Duration coldLoadDelay) {
      this.coldLoadDelay = checkDelay(coldLoadDelay, "coldLoadDelay");
      return this;
    }

    /**
     * Requests that run at once: per loaded model for Ollama (OLLAMA_NUM_PARALLEL, default {@value
     * #DEFAULT_OLLAMA_PARALLEL}), for the whole engine for vLLM (max_num_seqs, default {@value
     * #DEFAULT_VLLM_PARALLEL}) and llama.cpp (--parallel, default {@value
     * #DEFAULT_LLAMA_CPP_PARALLEL}). Further requests wait inside the server in arrival order.
     */
    public Builder parallel(int parallel) {
      this.parallel = checkPositive(parallel, "parallel");
      return this;
    }

    /** How long a model stays loaded after its last use unless a request sets keep_alive; default 5 minutes. */
    public Builder keepAlive(Duration keepAlive) {
      this.keepAlive = checkDelay(keepAlive, "keepAlive");
      return this;
    }

    /** The clock keep_alive expiry is judged by; a test may pass one it moves. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** What /api/version reports. */
    public Builder version(String version) {
      this.version = requireText(version, "version");
      return this;
    }

    /** Binds to 127.0.0.1 and starts serving. */
    public SimulatedOllama start() throws IOException {
      ModelCatalog catalog = new ModelCatalog(models, !flavor.ollama());
      Occupancy occupancy = new Occupancy();
      boolean engine = !flavor.ollama();
      int slots = parallel > 0 ? parallel : flavor.defaultParallel;
      Residency residency = new Residency(catalog, loadedModels, residentModels, slots, coldLoadDelay,
          keepAlive, clock, occupancy);
      return new SimulatedOllama(new SimState(id, flavor, version, tokens, tokenDelay, catalog, residency,
          occupancy, engine ? new Slots(slots, occupancy) : null), port);
    }

    private static int checkPositive(int value, String name) {
      if (value < 1) {
        throw new IllegalArgumentException(name + ": " + value + " (expected: >= 1)");
      }
      return value;
    }

    private static String requireText(String value, String name) {
      Objects.requireNonNull(value, name);
      if (value.isBlank()) {
        throw new IllegalArgumentException(name + ": blank (expected: text)");
      }
      return value;
    }

    private static List<String> copyNames(List<String> names, String field) {
      Objects.requireNonNull(names, field);
      names.forEach(name -> requireText(name, field + " element"));
      return List.copyOf(names);
    }
  }
}
