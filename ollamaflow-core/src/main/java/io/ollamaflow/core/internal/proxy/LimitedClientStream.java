package io.ollamaflow.core.internal.proxy;

import java.io.IOException;
import java.io.InputStream;

/** The client's body stream: refuses to read past the size limit and marks its failures as the client's. */
final class LimitedClientStream extends InputStream {
  private final InputStream in;
  private final long limit;
  private long read;

  LimitedClientStream(InputStream in, long limit) {
    this.in = in;
    this.limit = limit;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    int n;
    try {
      n = in.read(b, off, len);
    } catch (IOException e) {
      throw ClientBodyException.readFailed(e);
    }
    if (n > 0) {
      read += n;
      if (read > limit) throw ClientBodyException.tooLarge(limit);
    }
    return n;
  }
}
