package io.ollamaflow.examples.server;

import ch.qos.logback.classic.net.SyslogAppender;
import ch.qos.logback.classic.util.LevelToSyslogSeverity;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Layout;
import ch.qos.logback.core.LayoutBase;
import ch.qos.logback.core.net.SyslogConstants;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/**
 * Logback's syslog appender (UDP, one datagram per line) framing each line as RFC 5424 rather
 * than RFC 3164: {@code <PRI>1 TIMESTAMP HOSTNAME ollamaflow PROCID - - MSG}, with an ISO 8601
 * timestamp (milliseconds and offset), facility user, and no structured data. Stack traces are
 * not sent (Logback would frame their lines as RFC 3164); they stay in the console and file logs.
 */
final class Rfc5424SyslogAppender extends SyslogAppender {
  private static final DateTimeFormatter TIMESTAMP =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX").withZone(ZoneId.systemDefault());

  Rfc5424SyslogAppender() {
    setFacility("USER");
    setThrowableExcluded(true);
  }

  @Override
  public Layout<ILoggingEvent> buildLayout() {
    String header = " " + hostname() + " ollamaflow " + ProcessHandle.current().pid() + " - - ";
    LayoutBase<ILoggingEvent> layout = new LayoutBase<>() {
      @Override
      public String doLayout(ILoggingEvent event) {
        int priority = SyslogConstants.LOG_USER + LevelToSyslogSeverity.convert(event);
        return "<" + priority + ">1 " + TIMESTAMP.format(Instant.ofEpochMilli(event.getTimeStamp())) + header
            + "[" + event.getThreadName() + "] " + event.getLoggerName() + " " + event.getFormattedMessage();
      }
    };
    layout.setContext(getContext());
    layout.start();
    return layout;
  }

  /** This machine's name, or RFC 5424's nil value when it has none. */
  private static String hostname() {
    try {
      String name = InetAddress.getLocalHost().getHostName();
      return name.isEmpty() || name.contains(" ") ? "-" : name;
    } catch (UnknownHostException e) {
      return "-";
    }
  }
}
