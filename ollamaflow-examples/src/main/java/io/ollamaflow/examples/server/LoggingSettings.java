package io.ollamaflow.examples.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@code Logging} section of {@code ollamaflow.json}, under OllamaFlow's key names, plus
 * {@code SyslogFormat}. A key the server does not honour is refused by name rather than silently
 * dropped. Without the section the server logs to the console at info, as before; file and syslog
 * logging are on only when asked, and so are request and answer bodies ({@code LogQueries},
 * {@code LogResults}).
 */
record LoggingSettings(boolean enabled, boolean console, boolean colors, int minimumSeverity,
    Optional<Path> file, List<SyslogServer> servers, SyslogFormat syslogFormat, boolean logQueries, boolean logResults) {

  /** Syslog severity 6 (informational). */
  static final int DEFAULT_SEVERITY = 6;
  static final LoggingSettings DEFAULT = new LoggingSettings(true, true, false, DEFAULT_SEVERITY, Optional.empty(), List.of(),
      SyslogFormat.RFC3164, false, false);

  private static final SettingsKeys KEYS = SettingsKeys.of("Enable", "ConsoleLogging", "EnableColors", "MinimumSeverity",
      "LogDirectory", "LogFilename", "Servers", "SyslogFormat", "LogQueries", "LogResults");

  /** How a line is framed in its syslog datagram. */
  enum SyslogFormat { RFC3164, RFC5424 }
  /** RandomizePorts false, as OllamaFlow writes it, makes MinimumPort and MaximumPort unused. */
  private static final SettingsKeys SERVER_KEYS = SettingsKeys.of("Hostname", "Port", "RandomizePorts", "MinimumPort",
      "MaximumPort");

  /** One syslog receiver, reached over UDP. */
  record SyslogServer(String hostname, int port) {}

  /** @throws IllegalArgumentException naming the key and what was wrong */
  static LoggingSettings read(JsonNode logging) {
    if (logging == null) return DEFAULT;
    KEYS.check(logging, "Logging");
    JsonNode severity = ServerSettings.field(logging, "MinimumSeverity");
    int minimumSeverity = DEFAULT_SEVERITY;
    if (severity != null) {
      if (!severity.isIntegralNumber() || severity.intValue() < 0 || severity.intValue() > 7) {
        throw new IllegalArgumentException("Logging.MinimumSeverity: " + severity
            + " (expected: a syslog severity 0-7, 0 emergency .. 7 debug)");
      }
      minimumSeverity = severity.intValue();
    }
    String directory = text(logging, "LogDirectory");
    String filename = text(logging, "LogFilename");
    Optional<Path> file = Optional.empty();
    if (directory != null || filename != null) {
      file = Optional.of(Path.of(directory == null ? "./logs/" : directory).resolve(filename == null ? "ollamaflow.log" : filename));
    }
    return new LoggingSettings(bool(logging, "Logging.Enable", true), bool(logging, "Logging.ConsoleLogging", true),
        bool(logging, "Logging.EnableColors", false), minimumSeverity, file, servers(ServerSettings.field(logging, "Servers")),
        syslogFormat(text(logging, "SyslogFormat")), bool(logging, "Logging.LogQueries", false),
        bool(logging, "Logging.LogResults", false));
  }

  private static SyslogFormat syslogFormat(String name) {
    if (name == null) return SyslogFormat.RFC3164;
    for (SyslogFormat format : SyslogFormat.values()) {
      if (format.name().equalsIgnoreCase(name)) return format;
    }
    throw new IllegalArgumentException("Logging.SyslogFormat: \"" + name + "\" (expected: RFC3164 or RFC5424)");
  }

  /** @param path the key's full path, whose last part is its name */
  private static boolean bool(JsonNode node, String path, boolean fallback) {
    JsonNode value = ServerSettings.field(node, path.substring(path.lastIndexOf('.') + 1));
    if (value == null) return fallback;
    if (!value.isBoolean()) throw new IllegalArgumentException(path + ": " + value + " (expected: true or false)");
    return value.booleanValue();
  }

  private static String text(JsonNode node, String name) {
    JsonNode value = ServerSettings.field(node, name);
    if (value == null) return null;
    if (!value.isTextual() || value.textValue().isBlank()) {
      throw new IllegalArgumentException("Logging." + name + ": " + value + " (expected: a non-empty string)");
    }
    return value.textValue();
  }

  private static List<SyslogServer> servers(JsonNode servers) {
    if (servers == null) return List.of();
    if (!servers.isArray()) throw new IllegalArgumentException("Logging.Servers: " + servers + " (expected: an array of objects)");
    List<SyslogServer> result = new ArrayList<>();
    for (int i = 0; i < servers.size(); i++) {
      String path = "Logging.Servers[" + i + "]";
      JsonNode server = servers.get(i);
      SERVER_KEYS.check(server, path);
      if (bool(server, path + ".RandomizePorts", false)) {
        throw new IllegalArgumentException(path + ".RandomizePorts: true is not supported (each server is sent to at its Port);"
            + " set it to false or remove it");
      }
      JsonNode hostname = ServerSettings.field(server, "Hostname");
      if (hostname == null || !hostname.isTextual() || hostname.textValue().isBlank()) {
        throw new IllegalArgumentException(path + ".Hostname: " + hostname + " (expected: a non-empty string)");
      }
      JsonNode port = ServerSettings.field(server, "Port");
      if (port == null || !port.isIntegralNumber() || port.intValue() < 1 || port.intValue() > 65535) {
        throw new IllegalArgumentException(path + ".Port: " + port + " (expected: 1-65535)");
      }
      result.add(new SyslogServer(hostname.textValue(), port.intValue()));
    }
    return List.copyOf(result);
  }
}
