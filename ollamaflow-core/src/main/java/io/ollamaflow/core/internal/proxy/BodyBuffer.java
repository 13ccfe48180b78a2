package io.ollamaflow.core.internal.proxy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A request body held whole by the proxy: in memory up to {@link BodySpool#MEMORY_PER_BODY} while
 * the spool's heap allowance lasts, the rest in a temporary file counted against its disk
 * allowance. It can be read any number of times, so a retry resends it intact. Closing deletes the
 * file and gives the room back; the owner closes it however the request ends.
 */
final class BodyBuffer extends OutputStream {
  private final BodySpool spool;
  private byte[] memory;
  private int memorySize;
  private Path spillFile;
  private OutputStream spill;
  private long size;
  private boolean closed;

  /**
   * @param expectedSize the body's declared length, or -1 when unknown: a small body gets a small
   *     array (a stream's request is held while the stream lasts), and any body can grow past it
   */
  BodyBuffer(BodySpool spool, long expectedSize) {
    this.spool = spool;
    memory = new byte[expectedSize < 0 ? 8192 : (int) Math.min(8192, Math.max(64, expectedSize))];
    spool.holdMemory(memory.length);
  }

  /** A body the proxy made itself (a rewritten request), already on the heap. */
  BodyBuffer(byte[] whole) {
    spool = null;
    memory = whole;
    memorySize = whole.length;
    size = whole.length;
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    if (spill == null) {
      int kept = Math.min(len, roomInMemory(len));
      System.arraycopy(b, off, memory, memorySize, kept);
      memorySize += kept;
      size += kept;
      if (kept == len) return;
      off += kept;
      len -= kept;
      spillFile = spool.newFile();
      spill = Files.newOutputStream(spillFile);
    }
    spool.takeDisk(len);
    size += len;
    spill.write(b, off, len);
  }

  /** Room for up to {@code len} more bytes, the array grown as far as the body's and the spool's heap allowances let it. */
  private int roomInMemory(int len) {
    long needed = (long) memorySize + len;
    if (needed > memory.length && memory.length < BodySpool.MEMORY_PER_BODY) {
      int grown = (int) Math.min(BodySpool.MEMORY_PER_BODY, Math.max(memory.length * 2L, needed));
      if (spool.takeMemory(grown - memory.length)) memory = Arrays.copyOf(memory, grown);
    }
    return memory.length - memorySize;
  }

  /**
   * Appends the rest of {@code in}, read straight into the held array while it has room: the
   * usual small body is already whole here, and copying through a buffer cost an allocation each.
   * A full array grows only once a byte beyond it has come, so a body exactly its declared size
   * never doubles it.
   */
  void readRest(InputStream in) throws IOException {
    while (spill == null) {
      if (memorySize == memory.length) {
        int next = in.read();
        if (next < 0) return;
        write(next);
        continue;
      }
      int n = in.read(memory, memorySize, memory.length - memorySize);
      if (n < 0) return;
      memorySize += n;
      size += n;
    }
    in.transferTo(this);
  }

  long size() {
    return size;
  }

  /** A new stream over everything written so far; call after the last write. */
  InputStream open() throws IOException {
    InputStream head = new ByteArrayInputStream(memory, 0, memorySize);
    if (spill == null) return head;
    spill.flush();
    return new SequenceInputStream(head, Files.newInputStream(spillFile));
  }

  @Override
  public void close() throws IOException {
    if (closed) return;
    closed = true;
    if (spool == null) return;
    spool.giveMemory(memory.length);
    if (spill == null) return;
    spool.giveDisk(size - memorySize);
    try {
      spill.close();
    } finally {
      Files.deleteIfExists(spillFile);
    }
  }
}
