package io.ollamaflow.examples.bench;

import io.ollamaflow.examples.sim.TestCertificates;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLSocketFactory;

/**
 * The overhead benchmark of issue 8: the same workloads direct to a simulated Ollama, through
 * nginx and through our standalone server, in one run on one machine, printed as a markdown table
 * and written to a file. Run it with {@code bash bench/run.sh}; see the README section
 * "Overhead benchmark" for the method.
 *
 * <p>Processes: this JVM is the load generator and hosts the stamped stream backend of (c) (so
 * backend and client share one clock). The simulated backends of (a), (b), (d) and (e) run in a
 * second JVM ({@link BenchBackends}); our server runs as a child {@code java -jar
 * ollamaflow-server.jar}; nginx runs as a child with one worker process and master_process off,
 * so its CPU and RSS are one process's.
 */
public final class OverheadBenchmark {
  private static final String FAST_HOST = "fast.bench";
  private static final String SLOW_HOST = "slow.bench";
  private static final String STAMP_HOST = "stamp.bench";
  private static final String MODEL = "llama3:latest";
  private static final String SMALL_CHAT = "{\"model\":\"" + MODEL
      + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello in one short sentence.\"}],\"stream\":false}";
  private static final String STREAM_CHAT = "{\"model\":\"" + MODEL
      + "\",\"messages\":[{\"role\":\"user\",\"content\":\"stream please\"}],\"stream\":true}";

  /**
   * One way to reach the backends, with the dialect the client speaks: {@code openAi} sends the
   * same chat bodies to /v1/chat/completions instead of /api/chat (to our server, whose backends
   * are Ollama-format, that means translation to /api/chat and back).
   */
  record Target(String name, int fastPort, int slowPort, int stampPort, long pid, boolean openAi, boolean tls) {
    boolean proxy() {
      return pid > 0;
    }

    String chatPath() {
      return openAi ? "/v1/chat/completions" : "/api/chat";
    }

    byte[] chat(String host, byte[] body) {
      return HttpConn.request("POST", chatPath(), host, "application/json", body);
    }

    Target speakingOpenAi(String name) {
      return new Target(name, fastPort, slowPort, stampPort, pid, true, tls);
    }

    /** The target added latency is measured against: the first of {@code all} speaking the same dialect (direct). */
    Target base(List<Target> all) {
      return all.stream().filter(t -> t.openAi == openAi).findFirst().orElseThrow();
    }
  }

  private final Options o;
  private final StringBuilder md = new StringBuilder();
  private final List<Process> children = new ArrayList<>();
  private final Path work;
  /** Trusts the CA of the TLS server's certificate; set when that server starts. */
  private SSLSocketFactory clientTls;

  private OverheadBenchmark(Options o) throws IOException {
    this.o = o;
    this.work = Files.createTempDirectory("ollamaflow-bench");
  }

  static final class Options {
    Path serverJar = Path.of("ollamaflow-examples/target/ollamaflow-server.jar");
    String nginx = findNginx();
    Path nginxTemplate = Path.of("bench/nginx.conf.template");
    Path out = Path.of("bench/results/latest.md");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String jdk17;
    String serverOpts = "-Xms64m -Xmx1g -XX:+UseG1GC";
    double seconds = 8;
    double warmSeconds = 3;
    int[] concurrency = {1, 8, 64};
    double[] rates = {1000, 2000, 2000};
    int[] streams = {1000, 9000};
    int streamRuns = 25;
    boolean saturation = true;
    /** Only (a), the small chat: the per-request cost, repeated quickly when comparing two builds. */
    boolean onlySmallChat;
    /** No TLS row: a server jar from before TLS existed cannot serve it. */
    boolean tls = true;

    static Options parse(String[] args) {
      Options o = new Options();
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        switch (a) {
          case "--server-jar" -> o.serverJar = Path.of(args[++i]);
          case "--nginx" -> o.nginx = args[++i];
          case "--nginx-template" -> o.nginxTemplate = Path.of(args[++i]);
          case "--out" -> o.out = Path.of(args[++i]);
          case "--java" -> o.java = args[++i];
          case "--jdk17" -> o.jdk17 = args[++i];
          case "--server-opts" -> o.serverOpts = args[++i];
          case "--seconds" -> o.seconds = Double.parseDouble(args[++i]);
          case "--streams" -> o.streams = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
          case "--no-saturation" -> o.saturation = false;
          case "--only-a" -> o.onlySmallChat = true;
          case "--concurrency" -> {
            // Each level keeps its offered rate: 1,000 req/s on one connection, 2,000 on more.
            o.concurrency = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
            o.rates = Arrays.stream(o.concurrency).mapToDouble(c -> c == 1 ? 1000 : 2000).toArray();
          }
          case "--no-tls" -> o.tls = false;
          case "--quick" -> {
            o.seconds = 3;
            o.warmSeconds = 1;
            o.streams = new int[] {1000};
            o.streamRuns = 8;
          }
          default -> throw new IllegalArgumentException("unknown argument: " + a);
        }
      }
      return o;
    }

    private static String findNginx() {
      for (String p : new String[] {"/usr/sbin/nginx", "/usr/bin/nginx", "/usr/local/sbin/nginx"}) {
        if (Files.isExecutable(Path.of(p))) return p;
      }
      return null;
    }
  }

  public static void main(String[] args) throws Exception {
    OverheadBenchmark b = new OverheadBenchmark(Options.parse(args));
    Runtime.getRuntime().addShutdownHook(new Thread(b::stopChildren, "bench-children"));
    try {
      b.run();
    } finally {
      b.stopChildren();
    }
    System.exit(0);
  }

  private void run() throws Exception {
    if (!Proc.available()) throw new IllegalStateException("needs Linux /proc for CPU and RSS figures");
    if (!Files.isRegularFile(o.serverJar)) throw new IllegalStateException(o.serverJar + " missing: run mvn install first");
    log("work directory " + work);

    // The benchmark's own simulators, so servers of two builds compared with --server-jar face the same backends.
    Process backends = start(List.of(o.java, "-Xmx2g", "-cp", System.getProperty("java.class.path"), BenchBackends.class.getName()),
        work.resolve("backends.log"), true);
    BufferedReader ready = new BufferedReader(new InputStreamReader(backends.getInputStream(), StandardCharsets.UTF_8));
    String line = ready.readLine();
    if (line == null || !line.startsWith("READY")) throw new IllegalStateException("backends did not start: " + line);
    int fast = Integer.parseInt(line.replaceAll(".*fast=(\\d+).*", "$1"));
    int slow = Integer.parseInt(line.replaceAll(".*slow=(\\d+).*", "$1"));
    StampedStreamBackend stamp = new StampedStreamBackend(200, 2_000_000L);
    log("backends: fast=" + fast + " slow=" + slow + " stamp=" + stamp.port() + " (backends JVM pid " + backends.pid() + ")");

    List<Target> targets = new ArrayList<>();
    Target direct = new Target("direct", fast, slow, stamp.port(), -1, false, false);
    targets.add(direct);
    Target nginx = startNginx(fast, slow, stamp.port());
    if (nginx != null) targets.add(nginx);
    Target ours = startServer("ollamaflow", o.java, fast, slow, stamp.port());
    targets.add(ours);
    // Measured in (a) only, then stopped: the cost of TLS on keep-alive connections, against plain direct.
    Target oursTls = o.tls ? startServer("ollamaflow over TLS", o.java, fast, slow, stamp.port(), true) : null;
    targets.add(direct.speakingOpenAi("direct, /v1 request"));
    targets.add(ours.speakingOpenAi("ollamaflow + translation"));
    List<Target> nativeProxies = targets.stream().filter(t -> t.proxy() && !t.openAi()).toList();

    header(ours, nginx);
    flush();

    // (a) small non-streaming chat, open loop
    section("(a) small non-streaming chat (/api/chat; /v1/chat/completions on the /v1 and translation rows), open loop",
        "| path | conc. | offered req/s | achieved req/s | p50 | p99 | p99.9 | added p50 | added p99 | added p99.9 | CPU s / 1000 req | errors |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|");
    Map<Target, Long> smallC1 = new HashMap<>();
    byte[] small = SMALL_CHAT.getBytes(StandardCharsets.UTF_8);
    // JIT warm-up of every path (and of the backends) before anything is measured.
    for (Target t : targets) {
      LoadGen.run(t.fastPort(), t.chat(FAST_HOST, small), 8, 1000, o.warmSeconds * 4);
    }
    if (oursTls != null) LoadGen.run(oursTls.fastPort(), clientTls, oursTls.chat(FAST_HOST, small), 8, 1000, o.warmSeconds * 4);
    for (int ci = 0; ci < o.concurrency.length; ci++) {
      int c = o.concurrency[ci];
      double rate = o.rates[ci];
      Map<Target, LoadGen.Result> runs = new HashMap<>();
      for (Target t : targets) {
        LoadGen.Result r = measured(t, t.chat(FAST_HOST, small), c, rate, runs);
        latencyRow(t.name(), c, rate, r, runs.get(t.base(targets)), r.cpuPer1000);
        if (c == 1) smallC1.put(t, r.percentile(0.5));
      }
      if (oursTls != null) {
        LoadGen.Result tlsRun = measured(oursTls, oursTls.chat(FAST_HOST, small), c, rate, runs);
        latencyRow(oursTls.name(), c, rate, tlsRun, runs.get(direct), tlsRun.cpuPer1000);
      }
    }
    md.append("\nIdle RSS after (a), before (b)-(e):");
    for (Target t : nativeProxies) {
      md.append(' ').append(t.name()).append(' ').append(mib(Proc.rssBytes(t.pid()))).append(';');
    }
    md.append('\n');
    if (oursTls != null) stopProcess(oursTls.pid());
    flush();
    if (o.onlySmallChat) {
      stamp.close();
      log("done (--only-a): " + o.out.toAbsolutePath());
      return;
    }

    // (c) 200-chunk stream
    section("(c) streamed chat, 200 chunks 2 ms apart (/api/chat NDJSON; /v1/chat/completions SSE on the /v1 and translation rows), "
            + o.streamRuns + " streams one after another",
        "| path | TTFB p50 | TTFB p99 | added TTFB p50 | chunk delay p50 | chunk delay p99 | chunk delay p99.9 | added chunk p50 | added chunk p99 | added chunk p99.9 | chunks lost |",
        "|---|---|---|---|---|---|---|---|---|---|---|");
    Map<Target, long[][]> streams = new HashMap<>();
    for (Target t : targets) {
      streamRuns(t, 5);
      long[][] r = streamRuns(t, o.streamRuns);
      streams.put(t, r);
      long[][] base = streams.get(t.base(targets));
      long lost = (long) o.streamRuns * 200 - r[1].length;
      md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %d |%n", t.name(),
          us(p(r[0], .5)), us(p(r[0], .99)), added(p(r[0], .5), p(base[0], .5)),
          us(p(r[1], .5)), us(p(r[1], .99)), us(p(r[1], .999)),
          added(p(r[1], .5), p(base[1], .5)), added(p(r[1], .99), p(base[1], .99)), added(p(r[1], .999), p(base[1], .999)), lost));
    }
    flush();

    // (b) 200 KB prompt
    section("(b) 200 KB prompt, non-streaming chat (/api/chat; /v1/chat/completions on the /v1 and translation rows), c=1, 100 req/s open loop",
        "| path | achieved req/s | p50 | p99 | p99.9 | added p50 | added p99 | growth of added p50 over the small chat at c=1 | CPU s / 1000 req | errors |",
        "|---|---|---|---|---|---|---|---|---|---|");
    byte[] big = bigPrompt(200 * 1024);
    Map<Target, LoadGen.Result> bigRuns = new HashMap<>();
    for (Target t : targets) {
      LoadGen.Result r = measured(t, t.chat(FAST_HOST, big), 1, 100, bigRuns);
      Target b = t.base(targets);
      LoadGen.Result bigBase = bigRuns.get(b);
      long addedBig = r.percentile(.5) - bigBase.percentile(.5);
      long addedSmall = smallC1.get(t) - smallC1.get(b);
      md.append(String.format(Locale.ROOT, "| %s | %.0f | %s | %s | %s | %s | %s | %s | %s | %d |%n", t.name(),
          r.achievedRate(), us(r.percentile(.5)), us(r.percentile(.99)), us(r.percentile(.999)),
          added(r.percentile(.5), bigBase.percentile(.5)), added(r.percentile(.99), bigBase.percentile(.99)),
          t.proxy() ? signed(addedBig - addedSmall) : "—", cpu(t, r.cpuPer1000), r.errors));
    }
    flush();

    // (d) open slow streams
    section("(d) open slow streams (1 token/s), resident memory of the proxy process",
        "| path | streams asked | established | alive after hold | idle RSS | RSS with streams open | RSS per 1,000 streams |",
        "|---|---|---|---|---|---|---|");
    List<Target> dTargets = new ArrayList<>(nativeProxies);
    Target ours17 = null;
    if (o.jdk17 != null) {
      ours17 = startServer("ollamaflow on JDK 17", o.jdk17, fast, slow, stamp.port());
      dTargets.add(ours17);
    }
    for (Target t : dTargets) {
      for (int n : o.streams) {
        openStreams(t, n);
        Thread.sleep(3000);
      }
    }
    if (ours17 != null) stopProcess(ours17.pid());
    flush();

    // (e) saturation
    if (o.saturation) {
      section("(e) saturation: highest offered rate (32 connections, open loop, " + (int) o.seconds / 2
          + " s per step) whose p99 stays under 50 ms with no errors and >= 95% achieved",
          "| path | highest passing rate | its p50 | its p99 | first failing rate | its p99 | why it failed |",
          "|---|---|---|---|---|---|---|");
      double[] ladder = {1000, 2000, 3000, 4000, 5000, 6000, 8000, 10000, 12000, 16000, 20000, 25000};
      for (Target t : targets) {
        saturation(t, t.chat(FAST_HOST, small), ladder);
        Thread.sleep(1000);
      }
      flush();
    }
    stamp.close();
    log("done: " + o.out.toAbsolutePath());
  }

  private void header(Target ours, Target nginx) throws IOException {
    md.append("# OllamaFlow overhead benchmark\n\n");
    md.append("Run ").append(Instant.now()).append(" on ").append(machine()).append(".\n\n");
    md.append("- Load generator and stamped stream backend (c): this JVM, ").append(System.getProperty("java.vm.name"))
        .append(' ').append(System.getProperty("java.version")).append(", max heap ")
        .append(Runtime.getRuntime().maxMemory() >> 20).append(" MiB, GC ").append(gcNames()).append(".\n");
    md.append("- Simulated backends (a, b, d, e): a separate JVM (`BenchBackends`, same JDK, -Xmx2g), SimulatedOllama with token delay 0 (a, b, e) and 1 s (d).\n");
    md.append("- ollamaflow: `java ").append(o.serverOpts).append(" -jar ollamaflow-server.jar` on ").append(javaVersion(o.java))
        .append(" (built-in HTTP/1.1 server: a thread per connection, platform threads for the first 256, virtual beyond on 21+); per-request INFO log off, as nginx's access_log.\n");
    md.append("- nginx: ").append(nginx == null ? "not available (not installed and could not be installed)" : nginxVersion()
        + ", 1 worker, master_process off, proxy_buffering off, proxy_request_buffering off, upstream keepalive 32, HTTP/1.1 upstream, access_log off").append(".\n");
    md.append("- Everything on 127.0.0.1; load generator, proxy and backend share the cores, so treat figures as magnitudes. Added = proxy percentile minus direct percentile from the same run. Latency runs from the intended send time (open loop). CPU = utime+stime of the proxy process from /proc.\n");
    md.append("- TLS row (a only): the same server with `Webserver.Ssl` on (PEM RSA 2048 certificate made for the run), clients on keep-alive TLS connections (handshake before the first request, JDK TLS on both ends); its added = TLS proxy minus plain direct, so it includes the cost of TLS.\n");
    md.append("- Translation rows: the same workload sent as an OpenAI request (POST /v1/chat/completions, same messages and `stream`) to our server, whose backends are Ollama-format, so it translates to /api/chat and back (NDJSON to SSE for streams). Their added = ollamaflow + translation minus \"direct, /v1 request\", the identical request sent direct: the simulator serves /v1/chat/completions itself, and so does the stamped stream backend (SSE, stamps in the message content, which survives translation).\n");
  }

  private void latencyRow(String name, int c, double rate, LoadGen.Result r, LoadGen.Result base, double cpuPer1000) {
    boolean isBase = r == base;
    md.append(String.format(Locale.ROOT, "| %s | %d | %.0f | %.0f | %s | %s | %s | %s | %s | %s | %s | %d |%n", name, c, rate,
        r.achievedRate(), us(r.percentile(.5)), us(r.percentile(.99)), us(r.percentile(.999)),
        isBase ? "—" : added(r.percentile(.5), base.percentile(.5)),
        isBase ? "—" : added(r.percentile(.99), base.percentile(.99)),
        isBase ? "—" : added(r.percentile(.999), base.percentile(.999)),
        Double.isNaN(cpuPer1000) ? "—" : String.format(Locale.ROOT, "%.3f", cpuPer1000), r.errors + (r.scheduled - r.latencies.length - r.errors)));
    log(name + " c=" + c + " p50=" + us(r.percentile(.5)) + " p99=" + us(r.percentile(.99)));
  }

  /**
   * A warm-up then a measured open-loop run of {@code req} through {@code t}, with the proxy's CPU
   * per 1,000 requests; the result is also put in {@code runs}.
   */
  private LoadGen.Result measured(Target t, byte[] req, int c, double rate, Map<Target, LoadGen.Result> runs)
      throws InterruptedException {
    SSLSocketFactory tls = t.tls() ? clientTls : null;
    LoadGen.run(t.fastPort(), tls, req, c, rate, o.warmSeconds);
    double cpu0 = t.proxy() ? Proc.cpuSeconds(t.pid()) : Double.NaN;
    LoadGen.Result r = LoadGen.run(t.fastPort(), tls, req, c, rate, o.seconds);
    double cpu1 = t.proxy() ? Proc.cpuSeconds(t.pid()) : Double.NaN;
    r.cpuPer1000 = (cpu1 - cpu0) / Math.max(1, r.latencies.length) * 1000;
    runs.put(t, r);
    return r;
  }

  /**
   * Runs {@code n} streams one after another; returns sorted TTFB and sorted per-chunk delays, in
   * ns. Each streamed line (NDJSON, or an SSE {@code data:} line) carrying a stamp is one chunk.
   */
  private long[][] streamRuns(Target t, int n) throws IOException {
    byte[] req = t.chat(STAMP_HOST, STREAM_CHAT.getBytes(StandardCharsets.UTF_8));
    long[] ttfb = new long[n];
    long[] delays = new long[n * 200];
    int[] d = {0};
    try (HttpConn c = new HttpConn(t.stampPort(), 30_000)) {
      HttpConn.Response r = new HttpConn.Response();
      HttpConn.LineSink sink = new HttpConn.LineSink() {
        @Override
        void line(byte[] bytes, int len, long arrivalNanos) {
          long s = StampedStreamBackend.stampOf(bytes, len);
          if (s > 0 && d[0] < delays.length) delays[d[0]++] = arrivalNanos - s;
        }
      };
      for (int i = 0; i < n; i++) {
        long t0 = System.nanoTime();
        c.send(req);
        c.read(sink, r);
        ttfb[i] = r.firstBodyByteNanos - t0;
        if (r.status != 200) throw new IOException(t.name() + ": stream answered " + r.status);
      }
    }
    Arrays.sort(ttfb);
    long[] got = Arrays.copyOf(delays, d[0]);
    Arrays.sort(got);
    return new long[][] {ttfb, got};
  }

  private void openStreams(Target t, int n) throws InterruptedException {
    long idle = Proc.rssBytes(t.pid());
    byte[] req = HttpConn.request("POST", "/api/chat", SLOW_HOST, "application/json",
        ("{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"a long story\"}],\"stream\":true}")
            .getBytes(StandardCharsets.UTF_8));
    CountDownLatch established = new CountDownLatch(n);
    CountDownLatch hold = new CountDownLatch(1);
    AtomicInteger ok = new AtomicInteger();
    AtomicInteger alive = new AtomicInteger();
    Semaphore connecting = new Semaphore(200);
    ExecutorService ex = manyThreads();
    long[] releasedAt = {0};
    for (int i = 0; i < n; i++) {
      ex.submit(() -> {
        boolean permit = false;
        boolean[] released = {false};
        try {
          connecting.acquire();
          permit = true;
          try (HttpConn c = new HttpConn(t.slowPort(), 20_000)) {
            c.send(req);
            int[] lines = {0};
            try {
              c.read((buf, off, len, at) -> {
                for (int k = off; k < off + len; k++) {
                  if (buf[k] != '\n') continue;
                  if (++lines[0] == 1) {
                    ok.incrementAndGet();
                    established.countDown();
                    released[0] = true;
                    connecting.release();
                    try {
                      hold.await();
                    } catch (InterruptedException e) {
                      throw new IllegalStateException(e);
                    }
                  } else if (at - releasedAt[0] > 1_500_000_000L) {
                    alive.incrementAndGet();
                    throw new StopReading();
                  }
                }
              }, new HttpConn.Response());
            } catch (StopReading done) {
              // the stream was still flowing after the hold
            }
          }
        } catch (Exception e) {
          // counted as not established or not alive
        } finally {
          if (permit && !released[0]) connecting.release();
        }
        return null;
      });
    }
    long limit = System.nanoTime() + TimeUnit.SECONDS.toNanos(60 + n / 100);
    while (ok.get() < n && System.nanoTime() < limit) Thread.sleep(200);
    Thread.sleep(3000);
    long open = Proc.rssBytes(t.pid());
    int est = ok.get();
    releasedAt[0] = System.nanoTime();
    hold.countDown();
    ex.shutdown();
    ex.awaitTermination(40, TimeUnit.SECONDS);
    ex.shutdownNow();
    md.append(String.format(Locale.ROOT, "| %s | %d | %d | %d | %s | %s | %s |%n", t.name(), n, est, alive.get(),
        mib(idle), mib(open), est == 0 ? "—" : mib((open - idle) * 1000 / est)));
    log(t.name() + " streams=" + n + " established=" + est + " alive=" + alive.get() + " rss=" + mib(open));
  }

  private static final class StopReading extends RuntimeException {
    StopReading() {
      super(null, null, false, false);
    }
  }

  private void saturation(Target t, byte[] req, double[] ladder) throws InterruptedException {
    double stepSeconds = Math.max(2, o.seconds / 2);
    LoadGen.run(t.fastPort(), req, 32, 2000, o.warmSeconds);
    String pass = "none";
    String passP50 = "";
    String passP99 = "";
    String fail = "not reached";
    String failP99 = "";
    String why = "";
    for (double rate : ladder) {
      LoadGen.Result r = LoadGen.run(t.fastPort(), req, 32, rate, stepSeconds);
      long p99 = r.percentile(.99);
      boolean okRate = r.achievedRate() >= 0.95 * rate;
      boolean okP99 = p99 >= 0 && p99 < 50_000_000L;
      boolean okErr = r.errors == 0 && r.latencies.length == r.scheduled;
      log(t.name() + " saturation " + (int) rate + "/s achieved " + (int) r.achievedRate() + " p99 " + us(p99));
      if (okRate && okP99 && okErr) {
        pass = String.format(Locale.ROOT, "%.0f req/s", rate);
        passP50 = us(r.percentile(.5));
        passP99 = us(p99);
      } else {
        fail = String.format(Locale.ROOT, "%.0f req/s", rate);
        failP99 = us(p99);
        why = (!okP99 ? "p99 >= 50 ms " : "") + (!okRate ? String.format(Locale.ROOT, "achieved %.0f/s ", r.achievedRate()) : "")
            + (!okErr ? (r.scheduled - r.latencies.length) + " failed or not sent" : "");
        break;
      }
      Thread.sleep(500);
    }
    md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s |%n", t.name(), pass, passP50, passP99, fail, failP99, why.trim()));
  }

  private Target startNginx(int fast, int slow, int stamp) throws IOException, InterruptedException {
    if (o.nginx == null) {
      log("nginx not found: its rows are skipped (bench/run.sh installs it from Debian packages)");
      return null;
    }
    Path prefix = work.resolve("nginx");
    Files.createDirectories(prefix.resolve("logs"));
    int pf = freePort();
    int ps = freePort();
    int pc = freePort();
    String conf = Files.readString(o.nginxTemplate)
        .replace("${PREFIX}", prefix.toString())
        .replace("${FAST_UPSTREAM}", Integer.toString(fast)).replace("${SLOW_UPSTREAM}", Integer.toString(slow))
        .replace("${STAMP_UPSTREAM}", Integer.toString(stamp))
        .replace("${FAST_LISTEN}", Integer.toString(pf)).replace("${SLOW_LISTEN}", Integer.toString(ps))
        .replace("${STAMP_LISTEN}", Integer.toString(pc));
    Path file = prefix.resolve("nginx.conf");
    Files.writeString(file, conf);
    Process p = start(List.of(o.nginx, "-p", prefix.toString(), "-c", file.toString()), prefix.resolve("stderr.log"), false);
    waitReady("nginx", pf, FAST_HOST, p);
    return new Target("nginx", pf, ps, pc, p.pid(), false, false);
  }

  private Target startServer(String name, String java, int fast, int slow, int stamp) throws IOException, InterruptedException {
    return startServer(name, java, fast, slow, stamp, false);
  }

  /** @param tls serve HTTPS with a certificate made for the run ({@link TestCertificates}) */
  private Target startServer(String name, String java, int fast, int slow, int stamp, boolean tls)
      throws IOException, InterruptedException {
    Path dir = Files.createDirectories(work.resolve(name.replaceAll("[^a-z0-9]+", "-")));
    int port = freePort();
    StringBuilder be = new StringBuilder();
    StringBuilder fe = new StringBuilder();
    String[][] sets = {{"fast", FAST_HOST, "" + fast}, {"slow", SLOW_HOST, "" + slow}, {"stamp", STAMP_HOST, "" + stamp}};
    for (String[] s : sets) {
      if (be.length() > 0) {
        be.append(',');
        fe.append(',');
      }
      be.append("{\"Identifier\":\"").append(s[0]).append("\",\"Hostname\":\"127.0.0.1\",\"Port\":").append(s[2])
          .append(",\"MaxParallelRequests\":100000,\"RateLimitRequestsThreshold\":200000}");
      fe.append("{\"Identifier\":\"fe-").append(s[0]).append("\",\"Hostname\":\"").append(s[1])
          .append("\",\"Backends\":[\"").append(s[0]).append("\"],\"TimeoutMs\":600000}");
    }
    // Every stream of (d) comes from 127.0.0.1: lift the connection limits above the largest count.
    String json = "{\"Webserver\":{\"Hostname\":\"127.0.0.1\",\"Port\":" + port
        + ",\"IO\":{\"MaxConnections\":50000,\"MaxConnectionsPerAddress\":50000}" + (tls ? ssl() : "") + "},\"DatabaseFilename\":\""
        + dir.resolve("ollamaflow.db") + "\",\"Logging\":{\"MinimumSeverity\":4},\"AdminBearerTokens\":[],\"Frontends\":[" + fe + "],\"Backends\":[" + be + "]}";
    Path cfg = dir.resolve("ollamaflow.json");
    Files.writeString(cfg, json);
    List<String> cmd = new ArrayList<>();
    cmd.add(java);
    cmd.addAll(Arrays.asList(o.serverOpts.trim().split("\\s+")));
    cmd.addAll(List.of("-jar", o.serverJar.toAbsolutePath().toString(), "--config", cfg.toString()));
    Process p = start(cmd, dir.resolve("server.log"), false);
    if (tls) {
      HttpConn.awaitOk(name, port, clientTls, HttpConn.request("POST", "/api/chat", FAST_HOST, "application/json",
          SMALL_CHAT.getBytes(StandardCharsets.UTF_8)), p, work.toString());
      return new Target(name, port, port, port, p.pid(), false, true);
    }
    waitReady(name, port, FAST_HOST, p);
    waitReady(name, port, STAMP_HOST, p);
    waitReady(name, port, SLOW_HOST, p, HttpConn.request("GET", "/api/tags", SLOW_HOST, null, null));
    return new Target(name, port, port, port, p.pid(), false, false);
  }

  /** The Webserver.Ssl section for a TLS server, with PEM files made for this run; sets {@link #clientTls}. */
  private String ssl() throws IOException {
    TestCertificates certificates = TestCertificates.create(work.resolve("certificates"));
    clientTls = certificates.clientContext(false).getSocketFactory();
    return ",\"Ssl\":{\"Enable\":true,\"PemCertificateFile\":\"" + certificates.serverChainPem()
        + "\",\"PemPrivateKeyFile\":\"" + certificates.serverKeyPem() + "\"}";
  }

  /** Waits until a small chat through {@code port} answers 200 (backends probed healthy). */
  private void waitReady(String name, int port, String host, Process p) throws InterruptedException {
    waitReady(name, port, host, p,
        HttpConn.request("POST", "/api/chat", host, "application/json", SMALL_CHAT.getBytes(StandardCharsets.UTF_8)));
  }

  private void waitReady(String name, int port, String host, Process p, byte[] req) throws InterruptedException {
    HttpConn.awaitOk(name, port, req, p, work.toString());
  }

  private Process start(List<String> cmd, Path log, boolean keepStdout) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(log.toFile());
    if (!keepStdout) pb.redirectOutput(log.resolveSibling(log.getFileName() + ".out").toFile());
    Process p = pb.start();
    children.add(p);
    log("started pid " + p.pid() + ": " + String.join(" ", cmd));
    return p;
  }

  private void stopProcess(long pid) {
    for (Process p : children) {
      if (p.pid() == pid) p.destroy();
    }
  }

  private synchronized void stopChildren() {
    for (Process p : children) {
      p.destroy();
    }
    for (Process p : children) {
      try {
        if (!p.waitFor(5, TimeUnit.SECONDS)) p.destroyForcibly();
      } catch (InterruptedException e) {
        p.destroyForcibly();
      }
    }
  }

  private void section(String title, String head, String rule) {
    md.append("\n### ").append(title).append("\n\n").append(head).append('\n').append(rule).append('\n');
  }

  private void flush() throws IOException {
    Files.createDirectories(o.out.toAbsolutePath().getParent());
    Files.writeString(o.out, md);
    System.out.println(md.substring(printed));
    printed = md.length();
  }

  private int printed;

  private static ExecutorService manyThreads() {
    try {
      return (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
    } catch (ReflectiveOperationException e) {
      return Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(null, r, "stream", 256 * 1024);
        t.setDaemon(true);
        return t;
      });
    }
  }

  static byte[] bigPrompt(int bytes) {
    String head = "{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"";
    String tail = "\"}],\"stream\":false}";
    StringBuilder sb = new StringBuilder(bytes + 64).append(head);
    String words = "the quick brown fox jumps over the lazy dog ";
    while (sb.length() < bytes - tail.length()) sb.append(words);
    sb.setLength(bytes - tail.length());
    return sb.append(tail).toString().getBytes(StandardCharsets.UTF_8);
  }

  private static long p(long[] sorted, double q) {
    return LoadGen.percentile(sorted, q);
  }

  static String us(long nanos) {
    if (nanos < 0) return "—";
    if (nanos >= 10_000_000L) return String.format(Locale.ROOT, "%.1f ms", nanos / 1e6);
    return String.format(Locale.ROOT, "%d µs", Math.round(nanos / 1e3));
  }

  private static String added(long v, long base) {
    if (v < 0 || base < 0) return "—";
    return signed(v - base);
  }

  private static String signed(long nanos) {
    return (nanos >= 0 ? "+" : "−") + us(Math.abs(nanos));
  }

  private static String cpu(Target t, double v) {
    return t.proxy() ? String.format(Locale.ROOT, "%.3f", v) : "—";
  }

  private static String mib(long bytes) {
    return bytes < 0 ? "—" : String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static String machine() {
    String cpu = "unknown CPU";
    long memKb = 0;
    try {
      for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (l.startsWith("model name")) {
          cpu = l.substring(l.indexOf(':') + 1).trim();
          break;
        }
      }
      for (String l : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (l.startsWith("MemTotal:")) memKb = Long.parseLong(l.replaceAll("\\D", ""));
      }
    } catch (IOException | RuntimeException ignored) {
      // best effort
    }
    return Runtime.getRuntime().availableProcessors() + " CPUs (" + cpu + "), " + (memKb >> 20) + " GiB RAM, Linux "
        + System.getProperty("os.version");
  }

  private static String gcNames() {
    List<String> names = new ArrayList<>();
    for (var gc : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) names.add(gc.getName());
    return String.join("/", names);
  }

  private static String javaVersion(String java) {
    return firstLine(List.of(java, "-version"));
  }

  private String nginxVersion() {
    return firstLine(List.of(o.nginx, "-v"));
  }

  private static String firstLine(List<String> cmd) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.waitFor(10, TimeUnit.SECONDS);
      return out.lines().findFirst().orElse("?").trim();
    } catch (IOException | InterruptedException e) {
      return "?";
    }
  }

  private static void log(String s) {
    System.err.println("[bench] " + s);
  }
}
