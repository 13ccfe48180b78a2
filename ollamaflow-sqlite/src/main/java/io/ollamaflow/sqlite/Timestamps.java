package io.ollamaflow.sqlite;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * Instants as ISO-8601 UTC text with exactly six fraction digits, so that stored values sort as
 * text in time order and carry the microsecond precision the configuration objects keep.
 */
final class Timestamps {
  private static final DateTimeFormatter FORMAT =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

  private Timestamps() {}

  static String write(Instant instant) {
    return FORMAT.format(instant);
  }

  static Instant read(String column, String text) {
    if (text == null) throw new IllegalArgumentException("column " + column + " is empty");
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("column " + column + ": \"" + text + "\" (expected: ISO-8601 UTC time)");
    }
  }
}
