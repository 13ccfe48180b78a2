package io.ollamaflow.examples.bench;

import io.ollamaflow.examples.sim.SimulatedOllama;
import java.io.IOException;
import java.time.Duration;

/**
 * The simulated backends of the overhead benchmark, in a JVM of their own so that their CPU and
 * file descriptors are not the proxy's or the load generator's. Prints one line
 * {@code READY fast=PORT slow=PORT} and runs until its standard input closes (the benchmark
 * exits or dies) or 30 minutes pass.
 *
 * <ul>
 *   <li>{@code fast}: token delay zero, the default 8 tokens: non-streaming chat for (a), (b), (e).
 *   <li>{@code slow}: one token a second for 600 tokens: the open streams of (d).
 * </ul>
 */
public final class BenchBackends {
  private BenchBackends() {}

  public static void main(String[] args) throws IOException, InterruptedException {
    // Loaded from the start and without a slot limit: this benchmark measures the proxy, not the
    // simulators' queues.
    SimulatedOllama fast = unlimited().id("bench-fast").tokenDelay(Duration.ZERO).start();
    SimulatedOllama slow = unlimited().id("bench-slow").tokenDelay(Duration.ofSeconds(1)).tokens(600).start();
    System.out.println("READY fast=" + fast.port() + " slow=" + slow.port());
    System.out.flush();
    Thread watchdog = new Thread(() -> {
      try {
        while (System.in.read() >= 0) { /* until the parent closes our stdin */ }
      } catch (IOException ignored) {
        // parent gone
      }
      System.exit(0);
    }, "stdin-watch");
    watchdog.setDaemon(true);
    watchdog.start();
    Thread.sleep(Duration.ofMinutes(30).toMillis());
    fast.close();
    slow.close();
    System.exit(0);
  }

  private static SimulatedOllama.Builder unlimited() {
    return SimulatedOllama.builder().loadedModels(SimulatedOllama.DEFAULT_MODELS).parallel(Integer.MAX_VALUE);
  }
}
