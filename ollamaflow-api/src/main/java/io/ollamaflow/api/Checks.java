package io.ollamaflow.api;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Validation shared by the configuration builders; every message names field, value and expectation. */
final class Checks {
  private Checks() {}

  static String identifier(String value) {
    if (value == null || value.isBlank()) {
      throw invalid("identifier", value, "a non-empty string");
    }
    if (value.length() > 128 || value.chars().anyMatch(c -> c < 0x20 || c == '/')) {
      throw invalid("identifier", value, "at most 128 characters, no '/' or control characters");
    }
    return value;
  }

  static String nonBlank(String field, String value) {
    if (value == null || value.isBlank()) {
      throw invalid(field, value, "a non-empty string");
    }
    return value.trim();
  }

  static int range(String field, int value, int min, int max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(field + ": " + value + " (expected: " + min + "-" + max + ")");
    }
    return value;
  }

  static long atLeast(String field, long value, long min) {
    if (value < min) {
      throw new IllegalArgumentException(field + ": " + value + " (expected: >= " + min + ")");
    }
    return value;
  }

  static List<String> strings(String field, Collection<String> values) {
    Objects.requireNonNull(values, field);
    List<String> copy = new ArrayList<>(values.size());
    for (String v : values) {
      if (v == null || v.isBlank()) {
        throw new IllegalArgumentException(field + ": contains an empty entry (expected: non-empty strings)");
      }
      copy.add(v.trim());
    }
    return List.copyOf(copy);
  }

  static Map<String, String> aliases(String field, Map<String, String> values) {
    Objects.requireNonNull(values, field);
    Map<String, String> copy = new LinkedHashMap<>();
    values.forEach((alias, target) -> {
      if (alias == null || alias.isBlank()) {
        throw new IllegalArgumentException(field + ": contains an empty alias (expected: non-empty model names)");
      }
      if (target == null || target.isBlank()) {
        throw invalid(field + "." + alias.trim(), target, "a non-empty model name");
      }
      if (alias.trim().equals(target.trim())) {
        throw invalid(field + "." + alias.trim(), target, "a model other than the alias itself");
      }
      copy.put(alias.trim(), target.trim());
    });
    for (Map.Entry<String, String> entry : copy.entrySet()) {
      if (copy.containsKey(entry.getValue())) {
        throw invalid(field + "." + entry.getKey(), entry.getValue(), "a model name that is not itself an alias");
      }
    }
    return java.util.Collections.unmodifiableMap(copy);
  }

  static Map<String, String> headers(Map<String, String> values) {
    Objects.requireNonNull(values, "headers");
    Map<String, String> copy = new LinkedHashMap<>();
    values.forEach((k, v) -> {
      if (k == null || k.isBlank() || k.chars().anyMatch(c -> c <= 0x20 || c == ':' || c >= 0x7f)) {
        throw invalid("headers", k, "HTTP header names (visible ASCII, no ':')");
      }
      if (v == null || v.chars().anyMatch(c -> c == '\r' || c == '\n')) {
        throw new IllegalArgumentException("headers: value of '" + k + "' is null or contains a line break");
      }
      copy.put(k, v);
    });
    return java.util.Collections.unmodifiableMap(copy);
  }

  static ObjectNode object(String field, ObjectNode value) {
    if (value == null) {
      return JsonNodeFactory.instance.objectNode();
    }
    return value.deepCopy();
  }

  static Instant timestamp(Instant value) {
    return value != null ? value.truncatedTo(ChronoUnit.MICROS) : Instant.now().truncatedTo(ChronoUnit.MICROS);
  }

  static IllegalArgumentException invalid(String field, Object value, String expected) {
    String shown = value == null ? "null" : "\"" + value + "\"";
    return new IllegalArgumentException(field + ": " + shown + " (expected: " + expected + ")");
  }

  static String mask(String secret) {
    return secret == null ? "null" : "****";
  }
}
