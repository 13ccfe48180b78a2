package io.ollamaflow.core.internal.routing;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;

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
   * the counts of an OpenAI answer's {@code usage}; NONE when the tail has neither.
   */
  public static AnswerTimings inTail(byte[] tail, int length) {
    String text = new String(tail, 0, length, StandardCharsets.ISO_8859_1);
    int lastObject = text.lastIndexOf("\"total_duration\"");
    if (lastObject < 0) {
      int usage = text.lastIndexOf("\"usage\"");
      if (usage < 0) return NONE;
      String counts = text.substring(usage);
      return new AnswerTimings(-1, -1, -1, -1, number(counts, "\"prompt_tokens\""),
          number(counts, "\"completion_tokens\""));
    }
    int start = text.lastIndexOf('{', lastObject);
    String answer = start < 0 ? text : text.substring(start);
    long total = number(answer, "\"total_duration\"");
    return new AnswerTimings(total, number(answer, "\"load_duration\""), number(answer, "\"prompt_eval_duration\""),
        number(answer, "\"eval_duration\""), number(answer, "\"prompt_eval_count\""), number(answer, "\"eval_count\""));
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

  private static long number(String json, String key) {
    int at = json.lastIndexOf(key);
    if (at < 0) return -1;
    int i = json.indexOf(':', at + key.length());
    if (i < 0) return -1;
    i++;
    while (i < json.length() && json.charAt(i) == ' ') i++;
    long value = 0;
    int digits = 0;
    while (i < json.length() && Character.isDigit(json.charAt(i)) && digits < 19) {
      value = value * 10 + (json.charAt(i++) - '0');
      digits++;
    }
    return digits == 0 ? -1 : value;
  }
}
