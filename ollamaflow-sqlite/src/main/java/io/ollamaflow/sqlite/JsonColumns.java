package io.ollamaflow.sqlite;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Lists, header maps and JSON objects stored as JSON text. A value that cannot be read is reported
 * by column name only: the text may hold secrets such as header values.
 */
final class JsonColumns {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {};
  private static final TypeReference<LinkedHashMap<String, String>> HEADERS = new TypeReference<>() {};

  private JsonColumns() {}

  static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      // Strings, string maps and ObjectNodes always serialise; reaching here is a bug.
      throw new IllegalStateException("cannot write " + value.getClass().getSimpleName() + " as JSON", e);
    }
  }

  static List<String> strings(String column, String json) {
    return read(column, json, STRINGS, "a JSON array of strings");
  }

  static Map<String, String> headers(String column, String json) {
    return read(column, json, HEADERS, "a JSON object of strings");
  }

  static ObjectNode object(String column, String json) {
    JsonNode node = read(column, json, new TypeReference<JsonNode>() {}, "a JSON object");
    if (!(node instanceof ObjectNode)) throw unreadable(column, "a JSON object");
    return (ObjectNode) node;
  }

  private static <T> T read(String column, String json, TypeReference<T> type, String expected) {
    if (json == null) throw unreadable(column, expected);
    try {
      T value = MAPPER.readValue(json, type);
      if (value == null) throw unreadable(column, expected);
      return value;
    } catch (JsonProcessingException e) {
      throw unreadable(column, expected);
    }
  }

  private static IllegalArgumentException unreadable(String column, String expected) {
    return new IllegalArgumentException("column " + column + " does not hold " + expected);
  }
}
