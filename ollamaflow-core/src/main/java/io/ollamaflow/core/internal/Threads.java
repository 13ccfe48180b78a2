package io.ollamaflow.core.internal;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** Thread factories for the cluster's own threads: daemons, so a forgotten close() never keeps a JVM alive. */
public final class Threads {
  private Threads() {}

  /** Threads named {@code name}, or {@code name-1}, {@code name-2}... when the pool has several. */
  public static ThreadFactory daemons(String name) {
    AtomicInteger count = new AtomicInteger();
    return r -> {
      int n = count.incrementAndGet();
      Thread t = new Thread(r, n == 1 ? name : name + "-" + n);
      t.setDaemon(true);
      return t;
    };
  }
}
