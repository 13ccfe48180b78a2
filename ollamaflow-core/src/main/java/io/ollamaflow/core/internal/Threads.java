package io.ollamaflow.core.internal;

import java.lang.reflect.Method;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
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

  /**
   * One thread per task for work that blocks for as long as a request lasts: virtual threads where
   * the JDK has them (21+, found at run time so the code still runs on 17), else a growing pool of
   * daemon platform threads named {@code name-N}.
   */
  public static ExecutorService perTask(String name) {
    try {
      Method virtual = Executors.class.getMethod("newVirtualThreadPerTaskExecutor");
      return (ExecutorService) virtual.invoke(null);
    } catch (ReflectiveOperationException notOnThisJdk) {
      return Executors.newCachedThreadPool(daemons(name));
    }
  }

  /**
   * Runs {@code work} on the executor unless it has been shut down: work arriving after the
   * cluster closed (a probe or a request finishing late) is dropped, not an error on its thread.
   */
  public static void submit(Executor executor, Runnable work) {
    try {
      executor.execute(work);
    } catch (RejectedExecutionException closing) {
      // The owner is closing; nothing waits for this work.
    }
  }
}
