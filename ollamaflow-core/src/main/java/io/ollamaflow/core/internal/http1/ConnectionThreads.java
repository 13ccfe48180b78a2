package io.ollamaflow.core.internal.http1;

import io.ollamaflow.core.internal.Threads;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The threads that serve connections, one per open connection. The first
 * {@value #PLATFORM_THREADS} connections get platform threads: a blocking socket read on one is a
 * plain system call, where a virtual thread's goes through the JDK's poller and scheduler, two
 * more thread wake-ups per read (measured on this project's 2-core benchmark machine: +215 us
 * against +80 us added latency for the same relay). Beyond that, virtual threads (JDK 21+) keep
 * thousands of open streams cheap; on JDK 17, more platform threads.
 */
final class ConnectionThreads {
  static final int PLATFORM_THREADS = 256;

  private final ThreadPoolExecutor platform = new ThreadPoolExecutor(0, PLATFORM_THREADS, 30, TimeUnit.SECONDS,
      new SynchronousQueue<>(), Threads.daemons("ollamaflow-http"));
  private final ExecutorService overflow = Threads.perTask("ollamaflow-http-more");

  /** @throws RejectedExecutionException after {@link #shutdown()} */
  void execute(Runnable connection) {
    try {
      platform.execute(connection);
    } catch (RejectedExecutionException allPlatformThreadsBusy) {
      overflow.execute(connection);
    }
  }

  /** Takes no more connections; threads still serving one end when it closes. */
  void shutdown() {
    platform.shutdown();
    overflow.shutdown();
  }
}
