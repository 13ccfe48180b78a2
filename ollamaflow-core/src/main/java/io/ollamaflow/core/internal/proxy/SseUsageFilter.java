package io.ollamaflow.core.internal.proxy;

import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * An OpenAI server-sent event stream with its usage chunk left out: the event whose one
 * {@code data:} line holds empty {@code choices} and a {@code usage} object, which the proxy asked
 * for and the client did not ({@link StreamUsage}). Every other byte passes as it came. An event
 * is held until the blank line that ends it (lines end with LF, CR LF or CR, as the SSE format
 * allows), so a flush passes on every complete event and a partial one waits for its end;
 * {@link #finish} passes on what is left when the stream ends. An event longer than any usage
 * chunk goes on unheld, so a large or endless one is never buffered.
 *
 * <p>Used by one thread at a time.
 */
final class SseUsageFilter extends FilterOutputStream {
  /** A usage chunk is a few hundred bytes; anything this long is passed on as it comes. */
  static final int MAX_HELD = 16 * 1024;
  private static final Pattern EMPTY_CHOICES = Pattern.compile("\"choices\"\\s*:\\s*\\[\\s*\\]");
  private static final Pattern USAGE_OBJECT = Pattern.compile("\"usage\"\\s*:\\s*\\{");

  /** The event being received, while it is held. */
  private final ByteArrayOutputStream event = new ByteArrayOutputStream(512);
  /** The current event is too long to be a usage chunk: its bytes go straight on. */
  private boolean passing;
  /** The current line has something before its end. */
  private boolean lineHasText;
  /** The last byte was a CR: an LF now belongs to the same line end. */
  private boolean afterCr;
  /**
   * An event just ended at a CR: the LF of its CR LF, if one follows, belongs to it, and goes
   * straight on (the event was passed on) or is left out with it.
   */
  private boolean endedAtCr;
  private boolean endedLeftOut;

  SseUsageFilter(OutputStream client) {
    super(client);
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    for (int i = off; i < off + len; i++) {
      byte c = b[i];
      if (afterCr && c == '\n') {
        afterCr = false;
        if (!endedAtCr) {
          take(c);
        } else if (!endedLeftOut) {
          out.write(c);
        }
        endedAtCr = false;
        continue;
      }
      afterCr = false;
      endedAtCr = false;
      take(c);
      if (c == '\n' || c == '\r') {
        afterCr = c == '\r';
        if (!lineHasText) endEvent(c == '\r');
        lineHasText = false;
      } else {
        lineHasText = true;
      }
    }
  }

  /** The stream ended: whatever is held (an event without its blank line) goes as it came. */
  void finish() throws IOException {
    event.writeTo(out);
    event.reset();
    out.flush();
  }

  private void take(byte c) throws IOException {
    if (passing) {
      out.write(c);
      return;
    }
    event.write(c);
    if (event.size() > MAX_HELD) {
      event.writeTo(out);
      event.reset();
      passing = true;
    }
  }

  /** A blank line ended the event: it goes on unless it is the usage chunk. */
  private void endEvent(boolean atCr) throws IOException {
    boolean leftOut = !passing && isUsageChunk();
    if (!leftOut) event.writeTo(out);
    event.reset();
    passing = false;
    endedAtCr = atCr;
    endedLeftOut = leftOut;
  }

  private boolean isUsageChunk() {
    String data = null;
    for (String line : event.toString(StandardCharsets.UTF_8).split("\r\n|\r|\n")) {
      if (!line.startsWith("data:")) continue;
      if (data != null) return false; // data over several lines: not a chunk we asked for
      data = line;
    }
    return data != null && EMPTY_CHOICES.matcher(data).find() && USAGE_OBJECT.matcher(data).find();
  }
}
