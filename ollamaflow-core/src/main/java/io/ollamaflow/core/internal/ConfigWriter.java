package io.ollamaflow.core.internal;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one path every configuration write of a cluster takes: admin edits, and the RequiredModels
 * edits that pulls and deletes make. Writes run one at a time under one lock, and each is applied
 * to the cluster before the lock is released, so a read-check-write is never interleaved with
 * another write made through this cluster (an admin edit can no longer land between a background
 * edit's read and its write, and be silently undone).
 *
 * <p>Threading: {@link #write} blocks the caller on the store and on applying the change; it must
 * not be called on the cluster's update thread, which applies changes. {@link #writeLater} runs
 * the write on a thread of its own.
 */
public final class ConfigWriter implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ConfigWriter.class);

  // A ReentrantLock rather than synchronized: the holder blocks on the store's I/O, which pins a
  // virtual thread's carrier inside synchronized on Java 21.
  private final ReentrantLock lock = new ReentrantLock();
  private final Runnable apply;
  private final ExecutorService background = Executors.newSingleThreadExecutor(Threads.daemons("ollamaflow-config-writer"));

  /** @param apply makes the cluster route by the store's current content; returns once it does */
  ConfigWriter(Runnable apply) {
    this.apply = apply;
  }

  /** Runs {@code work} (which reads and writes the store) under the lock, then applies the result. */
  public <T> T write(Supplier<T> work) {
    lock.lock();
    try {
      T result = work.get();
      apply.run();
      return result;
    } finally {
      lock.unlock();
    }
  }

  /** Runs a write in the background; a failure is logged with {@code what}. */
  public void writeLater(String what, Runnable work) {
    Threads.submit(background, () -> {
      try {
        write(() -> {
          work.run();
          return null;
        });
      } catch (RuntimeException e) {
        log.warn("Could not {}: {}", what, e.toString());
      }
    });
  }

  @Override
  public void close() {
    background.shutdownNow();
  }
}
