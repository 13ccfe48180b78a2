package io.ollamaflow.core.internal.proxy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** Copies every byte read from a stream into a sink, so what a parser consumed can be forwarded. */
final class TeeInputStream extends InputStream {
  private final InputStream in;
  private final OutputStream copy;

  TeeInputStream(InputStream in, OutputStream copy) {
    this.in = in;
    this.copy = copy;
  }

  @Override
  public int read() throws IOException {
    int b = in.read();
    if (b >= 0) copy.write(b);
    return b;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    int n = in.read(b, off, len);
    if (n > 0) copy.write(b, off, n);
    return n;
  }
}
