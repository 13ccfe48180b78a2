package io.ollamaflow.core.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import okio.BufferedSink;

/**
 * HTTP/1.1 chunked framing, written by hand so a test backend controls when each chunk leaves.
 * Serve such bodies with {@code Transfer-Encoding: chunked}.
 */
public final class Chunks {
  private Chunks() {}

  /** Writes one chunk holding {@code text} and flushes it. */
  public static void write(BufferedSink sink, String text) throws IOException {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    sink.writeUtf8(Integer.toHexString(bytes.length)).writeUtf8("\r\n").write(bytes).writeUtf8("\r\n");
    sink.flush();
  }

  /** Writes the last, empty chunk that ends the body. */
  public static void end(BufferedSink sink) throws IOException {
    sink.writeUtf8("0\r\n\r\n");
    sink.flush();
  }
}
