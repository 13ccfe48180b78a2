package io.ollamaflow.examples.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import javax.net.ssl.SSLSocketFactory;

/**
 * An open-loop (constant arrival rate) load generator over {@link HttpConn}s. Each of
 * {@code conns} connections owns a fixed schedule of send times ({@code conns / rate} apart,
 * staggered between connections); latency is measured from the intended send time, so a late
 * send (the previous answer took too long) counts as queueing instead of being hidden. Every run
 * is bounded by its request count and by a deadline of 1.5 times its nominal length plus 5 s.
 */
final class LoadGen {
  private LoadGen() {}

  /** The outcome of one run; {@code latencies} are sorted nanoseconds. */
  static final class Result {
    long[] latencies = new long[0];
    long errors;
    long scheduled;
    double wallSeconds;
    /** CPU seconds of the proxy process per 1,000 requests, when the caller measured it; NaN otherwise. */
    double cpuPer1000 = Double.NaN;

    double achievedRate() {
      return wallSeconds <= 0 ? 0 : latencies.length / wallSeconds;
    }

    long percentile(double q) {
      return LoadGen.percentile(latencies, q);
    }
  }

  static long percentile(long[] sorted, double q) {
    if (sorted.length == 0) return -1;
    int i = (int) Math.ceil(q * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }

  static Result run(int port, byte[] request, int conns, double rate, double seconds) throws InterruptedException {
    return run(port, null, request, conns, rate, seconds);
  }

  /** As {@link #run(int, byte[], int, double, double)}, on keep-alive TLS connections unless {@code tls} is null. */
  static Result run(int port, SSLSocketFactory tls, byte[] request, int conns, double rate, double seconds)
      throws InterruptedException {
    long interval = (long) (1e9 * conns / rate);
    int perConn = Math.max(1, (int) Math.round(seconds * rate / conns));
    long start = System.nanoTime() + 20_000_000L;
    long deadline = start + (long) ((seconds * 1.5 + 5) * 1e9);
    List<long[]> all = new ArrayList<>();
    int[] counts = new int[conns];
    AtomicLong errors = new AtomicLong();
    long[] lastDone = new long[conns];
    Thread[] threads = new Thread[conns];
    for (int k = 0; k < conns; k++) {
      long[] lat = new long[perConn];
      all.add(lat);
      final int id = k;
      long offset = interval * k / conns;
      threads[k] = new Thread(() -> {
        HttpConn c = null;
        HttpConn.Response r = new HttpConn.Response();
        int n = 0;
        for (int i = 0; i < perConn; i++) {
          long intended = start + offset + i * interval;
          for (long w = intended - System.nanoTime(); w > 0; w = intended - System.nanoTime()) {
            LockSupport.parkNanos(w);
          }
          if (System.nanoTime() > deadline) break;
          try {
            if (c == null) c = new HttpConn(port, 30_000, tls);
            c.send(request);
            c.read(null, r);
            long done = System.nanoTime();
            if (r.status != 200) {
              errors.incrementAndGet();
            } else {
              lat[n++] = done - intended;
              lastDone[id] = done;
            }
            if (!r.keepAlive) {
              c.close();
              c = null;
            }
          } catch (IOException | RuntimeException e) {
            errors.incrementAndGet();
            if (c != null) c.close();
            c = null;
          }
        }
        if (c != null) c.close();
        counts[id] = n;
      }, "load-" + k);
      threads[k].setDaemon(true);
      threads[k].start();
    }
    for (Thread t : threads) {
      t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000 + 35_000));
    }
    Result res = new Result();
    int total = 0;
    long end = start;
    for (int k = 0; k < conns; k++) {
      total += counts[k];
      end = Math.max(end, lastDone[k]);
    }
    res.latencies = new long[total];
    int p = 0;
    for (int k = 0; k < conns; k++) {
      System.arraycopy(all.get(k), 0, res.latencies, p, counts[k]);
      p += counts[k];
    }
    Arrays.sort(res.latencies);
    res.errors = errors.get();
    res.scheduled = (long) perConn * conns;
    res.wallSeconds = (end - start) / 1e9;
    return res;
  }
}
