package io.ollamaflow.examples.sim;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
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
 * <p>Model residency: by default the models /api/ps reports as loaded never change and loading
 * costs nothing. Setting {@link Builder#residentModels(int)} or {@link
 * Builder#coldLoadDelay(Duration)} simulates Ollama's scheduler instead: an inference request for
 * an installed model that is not loaded first waits the cold-load delay (concurrent requests for
 * that model share one load), then the model is loaded and the least recently used loaded model is
 * evicted when more than {@code residentModels} would be loaded. /api/ps then lists exactly the
 * loaded models, most recently used first, each expiring five minutes after its last use, and the
 * load_duration of native answers reports the time waited for the load. {@link #coldLoads()} counts
 * the loads.
 */
public final class SimulatedOllama implements AutoCloseable {
  public static final String DEFAULT_ID = "sim";
  public static final List<String> DEFAULT_MODELS = List.of("llama3:latest");
  public static final Duration DEFAULT_TOKEN_DELAY = Duration.ofMillis(20);
  public static final int DEFAULT_TOKENS = 8;
  public static final String DEFAULT_VERSION = "0.12.6";

  /** Which server to imitate. */
  public enum Flavor {
    /** Ollama: the native API and its OpenAI-compatible /v1 layer. */
    OLLAMA,
    /** An Ollama without the /v1 layer (as before 0.1.24): /v1 paths answer 404. */
    OLLAMA_NATIVE_ONLY,
    /**
     * vLLM's OpenAI server: /v1 chat, completions, embeddings and models in vLLM's layout, /health,
     * and FastAPI's 404 for everything else (/api too). Model names are served exactly as given,
     * without Ollama's ":latest". Residency and {@link Builder#version(String)} do not apply.
     */
    VLLM
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
    if (state.flavor == Flavor.VLLM) {
      VllmRoutes.register(handler, state);
    } else {
      SimRoutes.register(handler, state);
    }
    if (state.flavor == Flavor.OLLAMA) {
      OpenAiRoutes.register(handler, state);
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

  /**
   * Models loaded by requests since start; the initially loaded models do not count. Always 0
   * unless residency is simulated (see {@link Builder#residentModels(int)}).
   */
  public int coldLoads() {
    return state.residency.coldLoads();
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
    private List<String> loadedModels;
    private Duration tokenDelay = DEFAULT_TOKEN_DELAY;
    private int tokens = DEFAULT_TOKENS;
    private String version = DEFAULT_VERSION;
    private int residentModels = Integer.MAX_VALUE;
    private Duration coldLoadDelay = Duration.ZERO;
    // Set by either residency option; without them the loaded set is fixed, as it always was.
    private boolean simulateResidency;

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
     * Installed models; "llama3" means "llama3:latest" except for {@link Flavor#VLLM}, which serves
     * names verbatim. May be empty.
     */
    public Builder models(List<String> models) {
      this.models = copyNames(models, "models");
      return this;
    }

    /**
     * The models /api/ps reports as loaded at start; by default the first installed model. With
     * simulated residency, models that are not installed are dropped, the rest are trimmed to
     * {@link #residentModels(int)}, and the first one counts as the most recently used.
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
     * How many models stay loaded at once; loading one more evicts the least recently used.
     * Default: unlimited. Setting it (or {@link #coldLoadDelay(Duration)}) turns on simulated
     * residency: requests load the models they use, and /api/ps shows them.
     */
    public Builder residentModels(int residentModels) {
      if (residentModels < 1) {
        throw new IllegalArgumentException("residentModels: " + residentModels + " (expected: >= 1)");
      }
      this.residentModels = residentModels;
      this.simulateResidency = true;
      return this;
    }

    /**
     * How long a request waits when its model is not loaded; concurrent requests for that model
     * wait for the same load. Default: {@link Duration#ZERO}. Setting it (or {@link
     * #residentModels(int)}) turns on simulated residency.
     */
    public Builder coldLoadDelay(Duration coldLoadDelay) {
      this.coldLoadDelay = checkDelay(coldLoadDelay, "coldLoadDelay");
      this.simulateResidency = true;
      return this;
    }

    /** What /api/version reports. */
    public Builder version(String version) {
      this.version = requireText(version, "version");
      return this;
    }

    /** Binds to 127.0.0.1 and starts serving. */
    public SimulatedOllama start() throws IOException {
      List<String> loaded = loadedModels != null ? loadedModels : models.stream().limit(1).toList();
      ModelCatalog catalog = new ModelCatalog(models, flavor == Flavor.VLLM);
      Residency residency =
          new Residency(catalog, loaded, simulateResidency, residentModels, coldLoadDelay);
      return new SimulatedOllama(
          new SimState(id, flavor, version, tokens, tokenDelay, catalog, residency), port);
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
