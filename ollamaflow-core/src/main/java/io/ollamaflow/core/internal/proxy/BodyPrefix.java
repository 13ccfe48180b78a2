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
 * The bytes of a request body that the proxy had to read before it could route the request.
 * Held in memory up to a limit, then spilled to a temporary file, so a client that puts
 * {@code model} after a 10 MB prompt does not make the proxy hold 10 MB on the heap. Closing
 * deletes the file.
 */
final class BodyPrefix extends OutputStream {
  static final int MEMORY_LIMIT = 256 * 1024;

  private byte[] memory;
  private int memorySize;
  private Path spillFile;
  private OutputStream spill;
  private long size;

  /**
   * @param expectedSize the body's declared length, or -1 when unknown: a small body gets a small
   *     array (a stream's request is held while the stream lasts), and any body can grow past it
   */
  BodyPrefix(long expectedSize) {
    memory = new byte[expectedSize < 0 ? 8192 : (int) Math.min(8192, Math.max(64, expectedSize))];
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    size += len;
    if (spill != null) {
      spill.write(b, off, len);
      return;
    }
    if (memorySize + len <= MEMORY_LIMIT) {
      if (memorySize + len > memory.length) {
        memory = Arrays.copyOf(memory, Math.min(MEMORY_LIMIT, Math.max(memory.length * 2, memorySize + len)));
      }
      System.arraycopy(b, off, memory, memorySize, len);
      memorySize += len;
      return;
    }
    spillFile = Files.createTempFile("ollamaflow-body-", ".tmp");
    spill = Files.newOutputStream(spillFile);
    spill.write(b, off, len);
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
    if (spill == null) return;
    spill.close();
    Files.deleteIfExists(spillFile);
  }
}
