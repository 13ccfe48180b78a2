package io.ollamaflow.examples.sim;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Ollama's keep_alive: a number of seconds or a Go duration string ("5m", "1h30m", "0"); any
 * negative value keeps the model loaded for good, which Ollama represents as the longest duration
 * there is (about 292 years), and so does this class.
 */
final class KeepAlive {
  /** Ollama's default (OLLAMA_KEEP_ALIVE): five minutes. */
  static final Duration DEFAULT = Duration.ofMinutes(5);
  static final Duration FOREVER = Duration.ofNanos(Long.MAX_VALUE);
  private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|µs|ms|s|m|h)");
  private static final Map<String, Double> NANOS_PER_UNIT = Map.of(
      "ns", 1d, "us", 1e3, "µs", 1e3, "ms", 1e6, "s", 1e9, "m", 60e9, "h", 3600e9);

  private KeepAlive() {}

  /** The request's keep_alive, or {@code fallback} when it is absent or null. */
  static Duration of(JsonNode request, Duration fallback) {
    JsonNode value = request.get("keep_alive");
    if (value == null || value.isNull()) {
      return fallback;
    }
    if (value.isNumber()) {
      double seconds = value.asDouble();
      return seconds < 0 ? FOREVER : Duration.ofNanos((long) Math.min(Long.MAX_VALUE, seconds * 1e9));
    }
    if (value.isTextual()) {
      return parse(value.asText());
    }
    throw new SimError(400, "invalid keep_alive: " + value);
  }

  /** A Go duration string: an optional sign and number-unit pairs, or a bare "0". */
  static Duration parse(String text) {
    String rest = text;
    boolean negative = rest.startsWith("-");
    if (negative || rest.startsWith("+")) {
      rest = rest.substring(1);
    }
    if (rest.equals("0")) {
      return Duration.ZERO;
    }
    Matcher part = PART.matcher(rest);
    double nanos = 0;
    int end = 0;
    while (end < rest.length() && part.find(end) && part.start() == end) {
      nanos += Double.parseDouble(part.group(1)) * NANOS_PER_UNIT.get(part.group(2));
      end = part.end();
    }
    if (rest.isEmpty() || end != rest.length()) {
      throw new SimError(400, "time: invalid duration \"" + text + "\"");
    }
    return negative ? FOREVER : Duration.ofNanos((long) Math.min(Long.MAX_VALUE, nanos));
  }
}
