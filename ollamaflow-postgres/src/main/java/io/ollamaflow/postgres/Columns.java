package io.ollamaflow.postgres;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The columns whose Java type is not a JDBC one: JSONB (lists, header maps, JSON objects) and
 * TIMESTAMPTZ. A JSON value that cannot be read is reported by column name only: it may hold
 * secrets such as header values.
 */
final class Columns {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {};
  private static final TypeReference<LinkedHashMap<String, String>> HEADERS = new TypeReference<>() {};

  private Columns() {}

  static void setJson(PreparedStatement ps, int index, Object value) throws SQLException {
    try {
      ps.setString(index, MAPPER.writeValueAsString(value));
    } catch (JsonProcessingException e) {
      // Strings, string maps and ObjectNodes always serialise; reaching here is a bug.
      throw new IllegalStateException("cannot write " + value.getClass().getSimpleName() + " as JSON", e);
    }
  }

  static void setInstant(PreparedStatement ps, int index, Instant instant) throws SQLException {
    ps.setObject(index, instant.atOffset(ZoneOffset.UTC));
  }

  /** Binds the instant, or SQL NULL for null. */
  static void setOptionalInstant(PreparedStatement ps, int index, Instant instant) throws SQLException {
    if (instant == null) ps.setNull(index, Types.TIMESTAMP_WITH_TIMEZONE);
    else setInstant(ps, index, instant);
  }

  /** The column's instant; null for SQL NULL. */
  static Instant optionalInstant(ResultSet rs, String column) throws SQLException {
    OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
    return value == null ? null : value.toInstant();
  }

  static Instant instant(ResultSet rs, String column) throws SQLException {
    OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
    if (value == null) throw new IllegalArgumentException("column " + column + " is empty");
    return value.toInstant();
  }

  static List<String> strings(ResultSet rs, String column) throws SQLException {
    return read(column, rs.getString(column), STRINGS, "a JSON array of strings");
  }

  static Map<String, String> headers(ResultSet rs, String column) throws SQLException {
    return read(column, rs.getString(column), HEADERS, "a JSON object of strings");
  }

  static ObjectNode object(ResultSet rs, String column) throws SQLException {
    JsonNode node = read(column, rs.getString(column), new TypeReference<JsonNode>() {}, "a JSON object");
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
