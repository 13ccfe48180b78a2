package io.ollamaflow.examples.bench;

import java.io.IOException;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The attack suite's well-behaved client: {@value #THREADS} threads on 127.0.0.1, each sending a
 * small non-streamed generate request on a keep-alive connection, then pausing 50 ms. Like common
 * HTTP clients, a request that fails on a reused connection before any answer arrives (the server
 * closed it while idle) is sent once more on a new connection, and counted as resent. Results are
 * grouped by phase.
 */
final class WellBehavedClient {
  static final int THREADS = 2;
  static final byte[] REQUEST = HttpConn.request("POST", "/api/generate", "localhost", "application/json",
      AttackSuite.utf8("{\"model\":\"llama3\",\"prompt\":\"hi\",\"stream\":false}"));

  /** How many of a phase's slowest requests {@link Stats#slowest()} names. */
  static final int SLOWEST = 5;

  /**
   * @param slowest the phase's {@value #SLOWEST} slowest requests, slowest first, with the wall-clock
   *     time each was sent, to find them in the server's log
   */
  record Stats(int ok, int total, int retried, double p50Ms, double p99Ms, List<Timed> slowest) {}

  /** One request: when it was sent (epoch ms) and how long it took. */
  record Timed(long sentAtMillis, long nanos) {
    @Override
    public String toString() {
      return String.format(Locale.ROOT, "%.0f ms sent at %s", nanos / 1e6,
          LocalTime.ofInstant(Instant.ofEpochMilli(sentAtMillis), ZoneId.systemDefault()));
    }
  }

  private final int port;
  private final List<Thread> threads = new ArrayList<>();
  private final List<Timed> latencies = new ArrayList<>();
  private int ok;
  private int total;
  private int retried;
  private volatile boolean running = true;

  WellBehavedClient(int port) {
    this.port = port;
  }

  void start() {
    for (int i = 0; i < THREADS; i++) {
      Thread t = new Thread(this::loop, "well-behaved-" + i);
      t.setDaemon(true);
      t.start();
      threads.add(t);
    }
  }

  /** Ends the current phase and starts the next; returns what the ended phase saw. */
  synchronized Stats nextPhase() {
    long[] sorted = latencies.stream().mapToLong(Timed::nanos).sorted().toArray();
    List<Timed> slowest = latencies.stream().sorted(Comparator.comparingLong(Timed::nanos).reversed())
        .limit(SLOWEST).toList();
    Stats stats = new Stats(ok, total, retried, LoadGen.percentile(sorted, 0.50) / 1e6, LoadGen.percentile(sorted, 0.99) / 1e6,
        slowest);
    latencies.clear();
    ok = 0;
    total = 0;
    retried = 0;
    return stats;
  }

  void stop() throws InterruptedException {
    running = false;
    for (Thread t : threads) t.join(20_000);
  }

  private void loop() {
    HttpConn conn = null;
    HttpConn.Response response = new HttpConn.Response();
    while (running) {
      long sentAt = System.currentTimeMillis();
      long start = System.nanoTime();
      boolean success = false;
      boolean resent = false;
      for (int attempt = 0; attempt < 2; attempt++) {
        boolean reused = conn != null;
        try {
          if (conn == null) conn = new HttpConn(port, 15_000);
          conn.send(REQUEST);
          conn.read(null, response);
          success = response.status == 200;
          if (!response.keepAlive) {
            conn.close();
            conn = null;
          }
          break;
        } catch (IOException e) {
          if (conn != null) conn.close();
          conn = null;
          if (!reused) break;
          resent = true;
        }
      }
      record(new Timed(sentAt, System.nanoTime() - start), success, resent);
      AttackSuite.sleep(50);
    }
    if (conn != null) conn.close();
  }

  private synchronized void record(Timed request, boolean success, boolean resent) {
    total++;
    if (success) ok++;
    if (resent) retried++;
    latencies.add(request);
  }
}
