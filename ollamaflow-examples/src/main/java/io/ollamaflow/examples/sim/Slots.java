package io.ollamaflow.examples.sim;

import java.io.InterruptedIOException;
import java.util.concurrent.Semaphore;

/**
 * A fixed number of requests that run at once (Ollama's OLLAMA_NUM_PARALLEL per loaded model,
 * vLLM's max_num_seqs, llama.cpp's slots); the rest wait in arrival order. Thread-safe.
 */
final class Slots {
  private final int size;
  private final Semaphore free;
  private final Occupancy occupancy;

  Slots(int size, Occupancy occupancy) {
    this.size = size;
    // Fair, so waiting requests are served first come, first served.
    this.free = new Semaphore(size, true);
    this.occupancy = occupancy;
  }

  /** Waits for a free slot; the caller has counted itself as waiting ({@link Occupancy#enqueue()}). */
  void acquire() throws InterruptedIOException {
    try {
      free.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("simulated server is closing");
    }
    occupancy.start();
  }

  void release() {
    occupancy.finish();
    free.release();
  }

  int size() {
    return size;
  }

  /** Slots in use now. */
  int busy() {
    return size - free.availablePermits();
  }
}
