package io.ollamaflow.examples.bench;

import io.ollamaflow.examples.sim.SimulatedOllama;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Issue 18's attacks on the standalone server, one after another, while a well-behaved client
 * keeps sending requests: {@code bash bench/attack.sh [--seconds N] [--attacks 1,1L,6,7]}.
 *
 * <p>Starts two simulated Ollamas in this JVM (MaxParallelRequests 4 each, 8 slots in all, as in
 * the issue), the server in a JVM of its own with the {@code Webserver.IO} limits below, and then
 * for each attack: the well-behaved client's success rate and p50/p99 latency during the attack;
 * the server's threads, resident memory and file descriptors (from /proc) before, at their peak
 * and after; the backends' open requests at the peak and after; and how long after the attack the
 * server was back at its idle levels. Loopback only; every phase is bounded in time.
 */
public final class AttackSuite {
  static final int READ_TIMEOUT_MS = 2_000;
  static final int HEAD_TIMEOUT_MS = 3_000;
  static final int IDLE_TIMEOUT_MS = 5_000;
  static final int WRITE_TIMEOUT_MS = 2_000;
  static final int MAX_CONNECTIONS = 2_000;
  static final int MAX_PER_ADDRESS = 500;
  /**
   * How long after an attack the server may take to be back at its idle levels: the longest any
   * limit lets an attacker's connection live, plus the time an idle connection thread is kept for
   * reuse (30 s for the first 256; 60 s beyond on JDK 17, where they are pooled platform threads),
   * plus a margin for the check.
   */
  static final long SETTLE_LIMIT_MS = IDLE_TIMEOUT_MS + 60_000 + 5_000;

  /** The attacks by the name given to {@code --attacks}. Item 2 (duplicate POSTs) is to be added here. */
  static final List<String> ATTACK_NAMES = List.of("1", "1L", "6", "7");

  static Attack attack(String name) {
    switch (name) {
      case "1": return new SlowUploadAttack(32, 1_000);
      case "1L": return new SlowUploadAttack(8, 10_000_000);
      case "6": return new IdleConnectionAttack(3_000, 6, 200);
      case "7": return new NonReaderAttack(4);
      default: throw new IllegalArgumentException("unknown attack '" + name + "' (known: " + ATTACK_NAMES + ")");
    }
  }

  private record Sample(long threads, long rssBytes, long fds, int backendRequests) {}

  private record Row(String attack, WellBehavedClient.Stats client, Sample idle, Sample peak, Sample after,
      long settledMs, long heapAfterGcKb, String attackerSummary) {}

  public static void main(String[] args) throws Exception {
    String java = "java";
    Path jar = Path.of("ollamaflow-examples/target/ollamaflow-server.jar");
    int seconds = 15;
    List<String> attacks = ATTACK_NAMES;
    List<String> serverJvmArgs = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--java" -> java = args[++i];
        case "--jar" -> jar = Path.of(args[++i]);
        case "--seconds" -> seconds = Integer.parseInt(args[++i]);
        case "--attacks" -> attacks = Arrays.asList(args[++i].split(","));
        case "--server-jvm-arg" -> serverJvmArgs.add(args[++i]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]
            + " (--java PATH, --jar PATH, --seconds N, --attacks " + String.join(",", ATTACK_NAMES)
            + ", --server-jvm-arg ARG)");
      }
    }
    attacks.forEach(AttackSuite::attack); // refuses an unknown name before anything starts
    Path work = Files.createTempDirectory("ollamaflow-attack");
    List<SimulatedOllama> sims = new ArrayList<>();
    Process server = null;
    WellBehavedClient client = null;
    try {
      for (int i = 1; i <= 2; i++) {
        sims.add(SimulatedOllama.builder().id("sim-" + i).tokenDelay(Duration.ZERO).start());
      }
      int port = freePort();
      server = startServer(java, serverJvmArgs, jar, work, port, sims);
      HttpConn.awaitOk("the server", port, WellBehavedClient.REQUEST, server, work.resolve("server.log").toString());
      Supplier<Sample> sample = sampler(server.pid(), sims);
      client = new WellBehavedClient(port);
      client.start();
      System.err.println("[attack] server pid " + server.pid() + " on 127.0.0.1:" + port + ", log " + work.resolve("server.log"));
      sleep(3_000);
      client.nextPhase();
      sleep(5_000);
      WellBehavedClient.Stats idleStats = client.nextPhase();
      Sample idle = sample.get();
      Path jcmd = Path.of(java).resolveSibling("jcmd");
      List<Row> rows = new ArrayList<>();
      rows.add(new Row("none (idle)", idleStats, idle, idle, idle, 0, heapAfterGcKb(jcmd, server.pid()), ""));
      for (String name : attacks) {
        Row row = run(attack(name), port, seconds, client, sample, idle);
        rows.add(new Row(row.attack, row.client, row.idle, row.peak, row.after, row.settledMs,
            heapAfterGcKb(jcmd, server.pid()), row.attackerSummary));
      }
      print(rows, seconds, java);
    } finally {
      if (client != null) client.stop();
      if (server != null) {
        server.destroy();
        if (!server.waitFor(15, TimeUnit.SECONDS)) server.destroyForcibly();
      }
      for (SimulatedOllama sim : sims) sim.close();
    }
  }

  private static Row run(Attack attack, int port, int seconds, WellBehavedClient client, Supplier<Sample> sample,
      Sample idle) throws IOException {
    System.err.println("[attack] " + attack.name() + " for " + seconds + " s");
    client.nextPhase();
    Sample peak = idle;
    attack.start(port);
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < end) {
      sleep(250);
      attack.tick();
      peak = max(peak, sample.get());
    }
    WellBehavedClient.Stats during = client.nextPhase();
    System.err.println("[attack] the well-behaved client's slowest requests: " + during.slowest());
    String summary = attack.stop();
    long stoppedAt = System.nanoTime();
    Sample after = sample.get();
    long settledMs = -1;
    while (true) {
      long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stoppedAt);
      if (after.threads <= idle.threads + 8 && after.fds <= idle.fds + 8 && after.backendRequests <= idle.backendRequests + 2) {
        settledMs = elapsed;
        break;
      }
      if (elapsed > SETTLE_LIMIT_MS) break;
      sleep(250);
      after = sample.get();
    }
    return new Row(attack.name(), during, idle, peak, after, settledMs, -1, summary);
  }

  /**
   * The server's Java heap in use right after a full GC (jcmd GC.run, then GC.heap_info), in KB;
   * -1 when jcmd is not there. Resident memory alone cannot tell a leak from heap the JVM keeps
   * committed after a peak.
   */
  private static long heapAfterGcKb(Path jcmd, long pid) {
    if (!Files.isExecutable(jcmd)) return -1;
    try {
      String pidText = Long.toString(pid);
      new ProcessBuilder(jcmd.toString(), pidText, "GC.run").redirectErrorStream(true).start().waitFor(30, TimeUnit.SECONDS);
      Process info = new ProcessBuilder(jcmd.toString(), pidText, "GC.heap_info").redirectErrorStream(true).start();
      String text = new String(info.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      java.util.regex.Matcher used = java.util.regex.Pattern.compile("used (\\d+)K").matcher(text);
      return used.find() ? Long.parseLong(used.group(1)) : -1;
    } catch (IOException | InterruptedException | RuntimeException e) {
      return -1;
    }
  }

  private static Sample max(Sample a, Sample b) {
    return new Sample(Math.max(a.threads, b.threads), Math.max(a.rssBytes, b.rssBytes), Math.max(a.fds, b.fds),
        Math.max(a.backendRequests, b.backendRequests));
  }

  private static Supplier<Sample> sampler(long pid, List<SimulatedOllama> sims) {
    return () -> new Sample(Proc.threads(pid), Proc.rssBytes(pid), Proc.descriptors(pid),
        sims.stream().mapToInt(SimulatedOllama::activeRequests).sum());
  }

  private static void print(List<Row> rows, int seconds, String java) {
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "Attack suite: %d s per attack, server on %s (%s); Webserver.IO ReadTimeoutMs %d, "
        + "RequestHeadTimeoutMs %d, IdleTimeoutMs %d, WriteTimeoutMs %d, MaxConnections %d, MaxConnectionsPerAddress %d; "
        + "2 backends x MaxParallelRequests 4%n%n", seconds, java, Runtime.version().feature() + " in the suite",
        READ_TIMEOUT_MS, HEAD_TIMEOUT_MS, IDLE_TIMEOUT_MS, WRITE_TIMEOUT_MS, MAX_CONNECTIONS, MAX_PER_ADDRESS));
    out.append("| attack | well-behaved ok | p50 ms | p99 ms | server threads idle/peak/after | RSS MB idle/peak/after "
        + "| heap MB after GC | fds idle/peak/after | backend requests peak/after | back to idle | attackers |\n");
    out.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (Row r : rows) {
      out.append(String.format(Locale.ROOT, "| %s | %d/%d%s | %.1f | %.1f | %d/%d/%d | %d/%d/%d | %s | %d/%d/%d | %d/%d | %s | %s |%n",
          r.attack, r.client.ok(), r.client.total(), r.client.retried() > 0 ? " (" + r.client.retried() + " resent on a closed keep-alive)" : "",
          r.client.p50Ms(), r.client.p99Ms(), r.idle.threads, r.peak.threads, r.after.threads,
          r.idle.rssBytes >> 20, r.peak.rssBytes >> 20, r.after.rssBytes >> 20,
          r.heapAfterGcKb < 0 ? "?" : String.format(Locale.ROOT, "%.1f", r.heapAfterGcKb / 1024.0),
          r.idle.fds, r.peak.fds, r.after.fds,
          r.peak.backendRequests, r.after.backendRequests,
          r.settledMs < 0 ? (r.attack.startsWith("none") ? "-" : "NOT within " + SETTLE_LIMIT_MS / 1000 + " s") : r.settledMs / 1000.0 + " s",
          r.attackerSummary));
    }
    System.out.print(out);
  }

  private static Process startServer(String java, List<String> jvmArgs, Path jar, Path work, int port,
      List<SimulatedOllama> sims) throws IOException {
    StringBuilder backends = new StringBuilder();
    for (SimulatedOllama sim : sims) {
      if (backends.length() > 0) backends.append(',');
      backends.append("{\"Identifier\":\"").append(sim.id()).append("\",\"Hostname\":\"127.0.0.1\",\"Port\":").append(sim.port())
          .append(",\"MaxParallelRequests\":4}");
    }
    String ids = String.join("\",\"", sims.stream().map(SimulatedOllama::id).toList());
    String json = "{\"Webserver\":{\"Hostname\":\"127.0.0.1\",\"Port\":" + port + ",\"IO\":{"
        + "\"ReadTimeoutMs\":" + READ_TIMEOUT_MS + ",\"RequestHeadTimeoutMs\":" + HEAD_TIMEOUT_MS
        + ",\"IdleTimeoutMs\":" + IDLE_TIMEOUT_MS + ",\"WriteTimeoutMs\":" + WRITE_TIMEOUT_MS
        + ",\"MaxConnections\":" + MAX_CONNECTIONS + ",\"MaxConnectionsPerAddress\":" + MAX_PER_ADDRESS + "}},"
        + "\"DatabaseFilename\":\"" + work.resolve("ollamaflow.db") + "\",\"AdminBearerTokens\":[],"
        + "\"Frontends\":[{\"Identifier\":\"main\",\"Hostname\":\"*\",\"Backends\":[\"" + ids + "\"],\"TimeoutMs\":30000}],"
        + "\"Backends\":[" + backends + "]}";
    Path config = work.resolve("ollamaflow.json");
    Files.writeString(config, json);
    List<String> command = new ArrayList<>(List.of(java, "-Xmx1g"));
    command.addAll(jvmArgs);
    command.addAll(List.of("-jar", jar.toAbsolutePath().toString(), "--config", config.toString()));
    return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(work.resolve("server.log").toFile()).start();
  }

  private static int freePort() throws IOException {
    try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted");
    }
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
