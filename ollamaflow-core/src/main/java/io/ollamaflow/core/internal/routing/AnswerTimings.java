package io.ollamaflow.core.internal.routing;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The durations an Ollama answer reports of itself (its last NDJSON line or its one JSON object),
 * in nanoseconds, and the token counts it or an OpenAI answer ({@code usage}) reports; -1 for what
 * it does not report. {@code total_duration} counts from when the server took the request, so
 * what it has beyond loading, prompt evaluation and generation is time the request waited inside.
 */
public record AnswerTimings(long totalNanos, long loadNanos, long promptEvalNanos, long evalNanos, long inputTokens,
    long outputTokens) {
  public static final AnswerTimings NONE = new AnswerTimings(-1, -1, -1, -1);

  /** Durations without token counts. */
  public AnswerTimings(long totalNanos, long loadNanos, long promptEvalNanos, long evalNanos) {
    this(totalNanos, loadNanos, promptEvalNanos, evalNanos, -1, -1);
  }

  public boolean known() {
    return totalNanos > 0 && evalNanos >= 0;
  }

  /** Prompt evaluation and generation: the work itself. */
  public long workNanos() {
    return Math.max(0, promptEvalNanos) + evalNanos;
  }

  /** Time inside the server that was neither loading nor work: waiting for a slot. */
  public long queuedNanos() {
    return Math.max(0, totalNanos - Math.max(0, loadNanos) - workNanos());
  }

  /**
   * Finds the durations and counts in the tail of an Ollama answer (they are its last fields), or
   * the counts of an OpenAI answer's {@code usage}; NONE when the tail has neither. Read in place:
   * every relayed answer passes here.
   */
  public static AnswerTimings inTail(byte[] tail, int length) {
    int lastObject = lastIndexOf(tail, length, TOTAL_DURATION);
    if (lastObject < 0) {
      int usage = lastIndexOf(tail, length, USAGE);
      if (usage < 0) return NONE;
      long[] counts = numbers(tail, usage, length, PROMPT_TOKENS, COMPLETION_TOKENS);
      return new AnswerTimings(-1, -1, -1, -1, counts[0], counts[1]);
    }
    int start = lastObject;
    while (start > 0 && tail[start] != '{') start--;
    long[] v = numbers(tail, start, length, TOTAL_DURATION, LOAD_DURATION, PROMPT_EVAL_DURATION, EVAL_DURATION,
        PROMPT_EVAL_COUNT, EVAL_COUNT);
    return new AnswerTimings(v[0], v[1], v[2], v[3], v[4], v[5]);
  }

  /**
   * The durations and counts of one parsed Ollama answer or final stream line, or the counts of an
   * OpenAI answer's or last stream chunk's {@code usage}; NONE when it has neither.
   */
  public static AnswerTimings of(JsonNode answer) {
    if (!answer.has("total_duration")) {
      JsonNode usage = answer.get("usage");
      if (usage == null || !usage.isObject()) return NONE;
      return new AnswerTimings(-1, -1, -1, -1, usage.path("prompt_tokens").asLong(-1),
          usage.path("completion_tokens").asLong(-1));
    }
    return new AnswerTimings(answer.path("total_duration").asLong(-1), answer.path("load_duration").asLong(-1),
        answer.path("prompt_eval_duration").asLong(-1), answer.path("eval_duration").asLong(-1),
        answer.path("prompt_eval_count").asLong(-1), answer.path("eval_count").asLong(-1));
  }

  private static final byte[] TOTAL_DURATION = key("total_duration");
  private static final byte[] LOAD_DURATION = key("load_duration");
  private static final byte[] PROMPT_EVAL_DURATION = key("prompt_eval_duration");
  private static final byte[] EVAL_DURATION = key("eval_duration");
  private static final byte[] PROMPT_EVAL_COUNT = key("prompt_eval_count");
  private static final byte[] EVAL_COUNT = key("eval_count");
  private static final byte[] USAGE = key("usage");
  private static final byte[] PROMPT_TOKENS = key("prompt_tokens");
  private static final byte[] COMPLETION_TOKENS = key("completion_tokens");

  /** A field name as it appears in JSON, quotes included. */
  private static byte[] key(String name) {
    return ('"' + name + '"').getBytes(StandardCharsets.US_ASCII);
  }

  /** Where {@code key} last starts within {@code bytes[0, to)}; -1 when it does not. */
  private static int lastIndexOf(byte[] bytes, int to, byte[] key) {
    for (int at = to - key.length; at >= 0; at--) {
      if (startsWith(bytes, at, to, key)) return at;
    }
    return -1;
  }

  /**
   * The whole numbers after the last occurrence of each key in {@code bytes[from, to)}, in one
   * pass; -1 for a key absent or not followed by a number.
   */
  private static long[] numbers(byte[] bytes, int from, int to, byte[]... keys) {
    long[] values = new long[keys.length];
    Arrays.fill(values, -1);
    for (int i = from; i < to; i++) {
      if (bytes[i] != '"') continue;
      for (int k = 0; k < keys.length; k++) {
        if (startsWith(bytes, i, to, keys[k])) {
          values[k] = numberAfter(bytes, i + keys[k].length, to);
          i += keys[k].length - 1;
          break;
        }
      }
    }
    return values;
  }

  private static boolean startsWith(byte[] bytes, int at, int to, byte[] key) {
    if (to - at < key.length) return false;
    for (int k = 0; k < key.length; k++) {
      if (bytes[at + k] != key[k]) return false;
    }
    return true;
  }

  /** The whole number after the colon that follows {@code i}; -1 when there is none. */
  private static long numberAfter(byte[] bytes, int i, int to) {
    while (i < to && bytes[i] != ':') i++;
    if (i == to) return -1;
    i++;
    while (i < to && bytes[i] == ' ') i++;
    long value = 0;
    int digits = 0;
    while (i < to && bytes[i] >= '0' && bytes[i] <= '9' && digits < 19) {
      value = value * 10 + (bytes[i++] - '0');
      digits++;
    }
    return digits == 0 ? -1 : value;
  }
}
