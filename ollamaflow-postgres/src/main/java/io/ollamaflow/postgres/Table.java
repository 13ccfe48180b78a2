package io.ollamaflow.postgres;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * One table of configuration objects keyed by {@code identifier}: its statements, built from the
 * column list, and the mapping between its rows and the objects.
 *
 * @param kind the object's name in messages, e.g. "backend"
 */
record Table<T>(String kind, String selectAll, String selectOne, String upsert, String delete,
    Function<T, String> identifier, RowWriter<T> writer, RowReader<T> reader) {

  /** Reads one object from the current row; may throw SQLException. */
  @FunctionalInterface
  interface RowReader<T> {
    T read(ResultSet rs) throws SQLException;
  }

  /** Fills the upsert's parameters, in column order; may throw SQLException. */
  @FunctionalInterface
  interface RowWriter<T> {
    void bind(PreparedStatement ps, T value) throws SQLException;
  }

  /**
   * @param columns every column, {@code identifier} first; placeholders follow this order
   * @param jsonColumns those of JSONB type, bound as text and cast
   */
  static <T> Table<T> of(String kind, String table, List<String> columns, Set<String> jsonColumns,
      Function<T, String> identifier, RowWriter<T> writer, RowReader<T> reader) {
    String values = columns.stream().map(c -> jsonColumns.contains(c) ? "CAST(? AS JSONB)" : "?")
        .collect(Collectors.joining(", "));
    String updates = columns.stream().skip(1).map(c -> c + " = EXCLUDED." + c).collect(Collectors.joining(", "));
    return new Table<>(kind,
        // Byte order, as SQLite's and Java's string order, whatever the database's collation.
        "SELECT * FROM " + table + " ORDER BY identifier COLLATE \"C\"",
        "SELECT * FROM " + table + " WHERE identifier = ?",
        "INSERT INTO " + table + " (" + String.join(", ", columns) + ") VALUES (" + values + ")"
            + " ON CONFLICT (identifier) DO UPDATE SET " + updates,
        "DELETE FROM " + table + " WHERE identifier = ?",
        identifier, writer, reader);
  }
}
