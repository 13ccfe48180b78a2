package io.ollamaflow.examples.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.net.SyslogAppender;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.TimeBasedRollingPolicy;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.nio.file.Path;
import org.slf4j.LoggerFactory;

/**
 * Configures Logback in code from {@link LoggingSettings}. Also registered as Logback's
 * {@link Configurator} (META-INF/services), so that before the settings are read the server logs
 * to the console at info rather than at Logback's default, debug.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_HIGH_PRIORITY)
public final class LogbackSetup extends ContextAwareBase implements Configurator {
  private static final String PATTERN = "%d{yyyy-MM-dd HH:mm:ss.SSS} [%thread] %level %logger - %msg%n";
  private static final String COLOR_PATTERN =
      "%d{yyyy-MM-dd HH:mm:ss.SSS} [%thread] %highlight(%level) %logger - %msg%n";

  /** Used by Logback's service loader only. */
  public LogbackSetup() {}

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    apply(context, LoggingSettings.DEFAULT);
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }

  /** Replaces the server's logging with what the settings ask for. */
  static void apply(LoggingSettings settings) {
    apply((LoggerContext) LoggerFactory.getILoggerFactory(), settings);
  }

  /**
   * Syslog severities to Logback levels: 0-3 (emergency, alert, critical, error) keep only ERROR,
   * 4 (warning) WARN and up, 5-6 (notice, informational) INFO and up, 7 (debug) DEBUG and up.
   */
  static Level level(int minimumSeverity) {
    if (minimumSeverity <= 3) return Level.ERROR;
    if (minimumSeverity == 4) return Level.WARN;
    if (minimumSeverity <= 6) return Level.INFO;
    return Level.DEBUG;
  }

  private static void apply(LoggerContext context, LoggingSettings settings) {
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.detachAndStopAllAppenders();
    root.setLevel(settings.enabled() ? level(settings.minimumSeverity()) : Level.OFF);
    if (!settings.enabled()) return;
    if (settings.console()) {
      ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
      console.setTarget("System.err");
      console.setEncoder(encoder(context, settings.colors() ? COLOR_PATTERN : PATTERN));
      start(context, root, "console", console);
    }
    settings.file().ifPresent(file -> start(context, root, "file", rollingFile(context, file)));
    for (LoggingSettings.SyslogServer server : settings.servers()) {
      SyslogAppender syslog;
      if (settings.syslogFormat() == LoggingSettings.SyslogFormat.RFC5424) {
        syslog = new Rfc5424SyslogAppender();
      } else {
        syslog = new SyslogAppender();
        syslog.setFacility("USER");
        syslog.setSuffixPattern("ollamaflow: [%thread] %logger %msg");
      }
      syslog.setSyslogHost(server.hostname());
      syslog.setPort(server.port());
      start(context, root, "syslog-" + server.hostname() + ":" + server.port(), syslog);
    }
  }

  /** A file rolled over daily: the current day in {@code file}, earlier days with their date appended. */
  private static RollingFileAppender<ILoggingEvent> rollingFile(LoggerContext context, Path file) {
    RollingFileAppender<ILoggingEvent> appender = new RollingFileAppender<>();
    appender.setContext(context);
    appender.setFile(file.toString());
    TimeBasedRollingPolicy<ILoggingEvent> daily = new TimeBasedRollingPolicy<>();
    daily.setContext(context);
    daily.setParent(appender);
    daily.setFileNamePattern(file + ".%d{yyyy-MM-dd}");
    daily.start();
    appender.setRollingPolicy(daily);
    appender.setEncoder(encoder(context, PATTERN));
    return appender;
  }

  private static PatternLayoutEncoder encoder(LoggerContext context, String pattern) {
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern(pattern);
    encoder.start();
    return encoder;
  }

  private static void start(LoggerContext context, Logger root, String name, Appender<ILoggingEvent> appender) {
    appender.setContext(context);
    appender.setName(name);
    appender.start();
    if (!appender.isStarted()) throw new IllegalArgumentException("Logging: could not start the " + name + " log");
    root.addAppender(appender);
  }
}
