package io.ollamaflow.examples.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * One object of {@code ollamaflow.json} read under its path ({@code Webserver.Ssl}, say): keys
 * are matched case-insensitively as OllamaFlow does, a key it does not know is refused, and every
 * error names the full key. Values of secret keys are never echoed.
 */
final class SettingsSection {
  private final JsonNode node;
  private final String path;

  private SettingsSection(JsonNode node, String path) {
    this.node = node;
    this.path = path;
  }

  /**
   * @param node the section, or null when the file has none
   * @param known the keys honoured, as documented
   * @throws IllegalArgumentException when the section is not an object or has a key not in {@code known}
   */
  static SettingsSection of(JsonNode node, String path, List<String> known) {
    if (node == null) return null;
    new SettingsKeys(known).check(node, path);
    return new SettingsSection(node, path);
  }

  /** The full name of {@code key}, for messages. */
  String name(String key) {
    return path + "." + key;
  }

  boolean bool(String key, boolean fallback) {
    JsonNode value = ServerSettings.field(node, key);
    if (value == null) return fallback;
    if (!value.isBoolean()) throw new IllegalArgumentException(name(key) + ": " + value + " (expected: true or false)");
    return value.booleanValue();
  }

  /** A whole number of at least 0, or {@code fallback} when absent. */
  long nonNegative(String key, long fallback) {
    JsonNode value = ServerSettings.field(node, key);
    if (value == null) return fallback;
    if (!value.isIntegralNumber() || !value.canConvertToLong() || value.longValue() < 0) {
      throw new IllegalArgumentException(name(key) + ": " + value + " (expected: a whole number, 0 or more)");
    }
    return value.longValue();
  }

  /**
   * A string, or null when absent. {@code secret} keeps the value out of the message and lets it
   * be empty (an empty password is a password); other values must not be empty.
   */
  String text(String key, boolean secret) {
    JsonNode value = ServerSettings.field(node, key);
    if (value == null) return null;
    if (!value.isTextual() || (!secret && value.textValue().isEmpty())) {
      throw new IllegalArgumentException(name(key) + ": " + (secret ? "(expected: a string)" : value + " (expected: a non-empty string)"));
    }
    return value.textValue();
  }

  /**
   * An array of strings; also, as OllamaFlow writes its address lists, an object whose keys are
   * the strings (each mapped to a note that is not used).
   */
  List<String> strings(String key) {
    JsonNode value = ServerSettings.field(node, key);
    if (value == null) return List.of();
    if (value.isObject()) {
      List<String> keys = new ArrayList<>();
      value.fieldNames().forEachRemaining(keys::add);
      return keys;
    }
    List<String> values = new ArrayList<>();
    if (value.isArray()) {
      for (JsonNode item : value) {
        if (item.isTextual()) values.add(item.textValue());
      }
      if (values.size() == value.size()) return values;
    }
    throw new IllegalArgumentException(name(key) + ": " + value + " (expected: an array of strings)");
  }
}
