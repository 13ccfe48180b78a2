package io.ollamaflow.core.internal.proxy;

import io.ollamaflow.api.ErrorCode;
import io.ollamaflow.api.FlowException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The room request bodies take while they are read whole before routing (so that a slow upload
 * never holds a backend slot): heap up to a total, then temporary files up to a total. A body
 * that finds both used up is refused with 503 rather than streamed while it holds a slot.
 *
 * <p>Threading: shared by every request; the totals are atomic.
 */
public final class BodySpool {
  /** Heap one body may take before the rest of it goes to a file. */
  static final int MEMORY_PER_BODY = 256 * 1024;
  public static final long DEFAULT_MAX_MEMORY_BYTES = 64L * 1024 * 1024;
  public static final long DEFAULT_MAX_DISK_BYTES = 4L * 1024 * 1024 * 1024;

  private final Path directory;
  private final long maxMemoryBytes;
  private final long maxDiskBytes;
  private final AtomicLong memory = new AtomicLong();
  private final AtomicLong disk = new AtomicLong();

  /**
   * @param directory where the temporary files go; null for the JVM's temporary directory
   * @throws IllegalArgumentException naming the limit that is negative
   */
  public BodySpool(Path directory, long maxMemoryBytes, long maxDiskBytes) {
    if (maxMemoryBytes < 0) throw new IllegalArgumentException("maxMemoryBytes: " + maxMemoryBytes + " (expected: >= 0)");
    if (maxDiskBytes < 0) throw new IllegalArgumentException("maxDiskBytes: " + maxDiskBytes + " (expected: >= 0)");
    this.directory = directory;
    this.maxMemoryBytes = maxMemoryBytes;
    this.maxDiskBytes = maxDiskBytes;
  }

  /** Takes {@code bytes} of the heap allowance, or nothing when that would exceed it. */
  boolean takeMemory(long bytes) {
    return take(memory, maxMemoryBytes, bytes);
  }

  /** Takes heap that cannot be refused (a body's first small array); counted so that growth sees it. */
  void holdMemory(long bytes) {
    memory.addAndGet(bytes);
  }

  void giveMemory(long bytes) {
    memory.addAndGet(-bytes);
  }

  /** @throws FlowException 503 when the bodies on disk would exceed the allowance */
  void takeDisk(long bytes) {
    if (!take(disk, maxDiskBytes, bytes)) {
      throw new FlowException(ErrorCode.BODY_SPOOL_FULL, "request bodies waiting to be routed fill the proxy's "
          + "spool (" + maxDiskBytes + " bytes on disk, " + maxMemoryBytes + " in memory); try again shortly");
    }
  }

  void giveDisk(long bytes) {
    disk.addAndGet(-bytes);
  }

  Path newFile() throws IOException {
    return directory == null ? Files.createTempFile("ollamaflow-body-", ".tmp")
        : Files.createTempFile(directory, "ollamaflow-body-", ".tmp");
  }

  /** Heap held by bodies now, in bytes. */
  long memoryInUse() {
    return memory.get();
  }

  /** Bytes of bodies in temporary files now. */
  long diskInUse() {
    return disk.get();
  }

  private static boolean take(AtomicLong used, long max, long bytes) {
    for (long now = used.get(); ; now = used.get()) {
      if (now + bytes > max) return false;
      if (used.compareAndSet(now, now + bytes)) return true;
    }
  }
}
