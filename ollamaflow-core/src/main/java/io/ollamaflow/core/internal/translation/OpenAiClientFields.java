package io.ollamaflow.core.internal.translation;

import com.fasterxml.jackson.databind.JsonNode;
import io.ollamaflow.api.ErrorCode;
import io.ollamaflow.api.FlowException;

/**
 * Reads the fields of an OpenAI client's request. JSON null counts as absent, since some clients
 * serialise every unset field; a field of the wrong type, or one an Ollama backend cannot honour,
 * is refused with a message that names it.
 */
final class OpenAiClientFields {
  private OpenAiClientFields() {}

  static boolean present(JsonNode value) {
    return value != null && !value.isNull();
  }

  static FlowException refused(String field, String why) {
    return new FlowException(ErrorCode.BAD_REQUEST, field + " " + why);
  }

  /** The string value of {@code field}, or null when absent. */
  static String text(JsonNode parent, String field, String name) {
    JsonNode value = parent.get(field);
    if (!present(value)) return null;
    if (!value.isTextual()) throw refused(name, "must be a string");
    return value.textValue();
  }

  /** The string value of {@code field}, refused when absent. */
  static String requiredText(JsonNode parent, String field, String name) {
    String value = text(parent, field, name);
    if (value == null) throw refused(name, "is required");
    return value;
  }

  /** The numeric value of {@code field}, or null when absent. */
  static JsonNode number(JsonNode parent, String field) {
    JsonNode value = parent.get(field);
    if (!present(value)) return null;
    if (!value.isNumber()) throw refused(field, "must be a number");
    return value;
  }
}
