package io.ollamaflow.core.internal.admin;

import java.time.Duration;

/**
 * Durations written as .NET writes a {@code TimeSpan}, which OllamaFlow's {@code Uptime} and
 * {@code Downtime} are: {@code hh:mm:ss.fffffff}, with {@code d.} in front from one day on.
 */
final class TimeSpans {
  private TimeSpans() {}

  static String format(Duration duration) {
    Duration d = duration.isNegative() ? Duration.ZERO : duration;
    long days = d.toDays();
    long ticks = d.getNano() / 100;
    String time = String.format("%02d:%02d:%02d.%07d", d.toHoursPart(), d.toMinutesPart(), d.toSecondsPart(), ticks);
    return days > 0 ? days + "." + time : time;
  }
}
