package io.ollamaflow.examples.sim;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A slot held by one inference request while it generates; closing it frees the slot once. A
 * non-streamed answer closes it before writing the answer, so that a client holding the answer
 * sees the slot free (and a keep_alive 0 model unloaded); a stream closes it after its last line.
 */
final class Lease implements AutoCloseable {
  private final long loadNanos;
  private final long slotWaitNanos;
  private final Runnable release;
  private final AtomicBoolean closed = new AtomicBoolean();

  Lease(long loadNanos, long slotWaitNanos, Runnable release) {
    this.loadNanos = loadNanos;
    this.slotWaitNanos = slotWaitNanos;
    this.release = release;
  }

  /** What the answer reports as load_duration, in nanoseconds. */
  long loadNanos() {
    return loadNanos;
  }

  /** How long the request waited for its slot once its model was ready, in nanoseconds. */
  long slotWaitNanos() {
    return slotWaitNanos;
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      release.run();
    }
  }
}
