package io.ollamaflow.core.internal.http1;

import java.io.IOException;
import java.io.OutputStream;

/**
 * A connection's socket output that says how long its current write has been blocked. A
 * blocking socket has no write timeout: a client that stops reading blocks the write, and the
 * request behind it, forever. The server's watchdog reads {@link #blockedSince()} and closes a
 * connection whose write made no progress for too long, which fails the write.
 */
final class WatchedOutput extends OutputStream {
  /** Writes are split so that each piece is bounded: a large write that progresses is never taken for a stalled one. */
  private static final int PIECE = 64 * 1024;
  static final long NOT_WRITING = 0;

  private final OutputStream socket;
  private volatile long writingSince = NOT_WRITING;

  WatchedOutput(OutputStream socket) {
    this.socket = socket;
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    try {
      while (len > 0) {
        int n = Math.min(len, PIECE);
        writingSince = Math.max(1, System.nanoTime());
        socket.write(b, off, n);
        off += n;
        len -= n;
      }
    } finally {
      writingSince = NOT_WRITING;
    }
  }

  @Override
  public void flush() throws IOException {
    socket.flush();
  }

  /** {@link System#nanoTime()} when the write now blocked began, or {@link #NOT_WRITING}. */
  long blockedSince() {
    return writingSince;
  }
}
