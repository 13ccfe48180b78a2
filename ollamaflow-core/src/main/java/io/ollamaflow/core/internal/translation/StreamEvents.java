package io.ollamaflow.core.internal.translation;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ollamaflow.api.ApiFormat;
import io.ollamaflow.core.internal.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import okio.BufferedSource;

/**
 * The framing of streamed answers in each dialect: Ollama's NDJSON (one JSON object per line) and
 * OpenAI's server-sent events ({@code data: <json>} then a blank line, ending with
 * {@code data: [DONE]}).
 */
public final class StreamEvents {
  private static final byte[] SSE_DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] SSE_PREFIX = "data: ".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] SSE_SUFFIX = "\n\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] NDJSON_PREFIX = new byte[0];
  private static final byte[] NDJSON_SUFFIX = "\n".getBytes(StandardCharsets.US_ASCII);

  private StreamEvents() {}

  /** True for the dialects whose streams are server-sent events. */
  public static boolean sse(ApiFormat dialect) {
    return ApiFormat.OPENAI.equals(dialect);
  }

  /** The media type of a stream in this dialect. */
  public static String contentType(ApiFormat dialect) {
    return sse(dialect) ? "text/event-stream" : "application/x-ndjson";
  }

  /** One event framed for a client of this dialect. */
  public static byte[] frame(ApiFormat dialect, ObjectNode event) throws IOException {
    byte[] json = Json.MAPPER.writeValueAsBytes(event);
    byte[] prefix = sse(dialect) ? SSE_PREFIX : NDJSON_PREFIX;
    byte[] suffix = sse(dialect) ? SSE_SUFFIX : NDJSON_SUFFIX;
    byte[] framed = new byte[prefix.length + json.length + suffix.length];
    System.arraycopy(prefix, 0, framed, 0, prefix.length);
    System.arraycopy(json, 0, framed, prefix.length, json.length);
    System.arraycopy(suffix, 0, framed, prefix.length + json.length, suffix.length);
    return framed;
  }

  /** What ends a stream in this dialect after its last event: {@code data: [DONE]} for SSE, nothing for NDJSON. */
  public static byte[] end(ApiFormat dialect) {
    return sse(dialect) ? SSE_DONE.clone() : new byte[0];
  }

  /**
   * Reads the data payloads of a backend's stream one at a time. NDJSON: each non-blank line.
   * SSE: the {@code data:} lines of one event joined with {@code \n}; comments ({@code :}),
   * {@code event:}, {@code id:} and {@code retry:} lines are skipped; {@code \r\n} is tolerated.
   *
   * <p>Threading: one reader per stream, used by one thread.
   */
  public static final class Reader {
    private final BufferedSource source;
    private final boolean sse;

    public Reader(BufferedSource source, boolean sse) {
      this.source = source;
      this.sse = sse;
    }

    /** The next payload ({@code [DONE]} included, as text), or null at the end of the stream. */
    public String next() throws IOException {
      return sse ? nextEvent() : nextLine();
    }

    /** True when a payload may be read without waiting for the backend. */
    public boolean buffered() {
      return source.getBuffer().size() > 0;
    }

    private String nextLine() throws IOException {
      String line;
      while ((line = source.readUtf8Line()) != null) {
        if (!line.isBlank()) return line;
      }
      return null;
    }

    private String nextEvent() throws IOException {
      StringBuilder data = null;
      String line;
      while ((line = source.readUtf8Line()) != null) {
        if (line.endsWith("\r")) line = line.substring(0, line.length() - 1);
        if (line.isEmpty()) {
          if (data != null) return data.toString();
          continue;
        }
        if (!line.startsWith("data:")) continue;
        String value = line.substring(line.startsWith("data: ") ? 6 : 5);
        if (data == null) data = new StringBuilder(value);
        else data.append('\n').append(value);
      }
      return data == null ? null : data.toString();
    }
  }
}
