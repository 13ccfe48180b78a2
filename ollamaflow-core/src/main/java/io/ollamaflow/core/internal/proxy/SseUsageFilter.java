package io.ollamaflow.core.internal.proxy;

import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * An OpenAI server-sent event stream with its usage chunk left out: the event whose data has
 * empty {@code choices} and a {@code usage} object, which the proxy asked for and the client did
 * not ({@link StreamUsage}). Every other event passes byte for byte. An event is held until its
 * blank line arrives, so a flush passes on every complete event and a partial one waits for its
 * end; {@link #finish} passes on what is left when the stream ends.
 *
 * <p>Used by one thread at a time.
 */
final class SseUsageFilter extends FilterOutputStream {
  private static final Pattern EMPTY_CHOICES = Pattern.compile("\"choices\"\\s*:\\s*\\[\\s*\\]");
  private static final Pattern USAGE_OBJECT = Pattern.compile("\"usage\"\\s*:\\s*\\{");

  /** The event being received, up to and including its blank line. */
  private final ByteArrayOutputStream event = new ByteArrayOutputStream(512);
  /** The last three bytes received, most recent first, for finding a blank line across writes. */
  private int last1 = -1;
  private int last2 = -1;
  private int last3 = -1;

  SseUsageFilter(OutputStream client) {
    super(client);
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    int start = off;
    for (int i = off; i < off + len; i++) {
      int c = b[i];
      // An event ends at a blank line: two line ends in a row, "\n\n" or "\r\n\r\n".
      boolean ends = c == '\n' && (last1 == '\n' || (last1 == '\r' && last2 == '\n' && last3 == '\r'));
      last3 = last2;
      last2 = last1;
      last1 = c;
      if (ends) {
        event.write(b, start, i + 1 - start);
        start = i + 1;
        if (!isUsageChunk()) event.writeTo(out);
        event.reset();
        last1 = last2 = last3 = -1;
      }
    }
    event.write(b, start, off + len - start);
  }

  /** The stream ended: whatever is held (an event without its blank line) goes as it came. */
  void finish() throws IOException {
    event.writeTo(out);
    event.reset();
    out.flush();
  }

  private boolean isUsageChunk() {
    String text = event.toString(StandardCharsets.UTF_8);
    return text.startsWith("data:") && EMPTY_CHOICES.matcher(text).find() && USAGE_OBJECT.matcher(text).find();
  }
}
