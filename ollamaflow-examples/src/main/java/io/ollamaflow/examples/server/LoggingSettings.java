package io.ollamaflow.examples.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code Logging} section of {@code ollamaflow.json}, under OllamaFlow's key names. A key the
 * server does not honour is refused by name rather than silently dropped. Without the section the
 * server logs to the console at info, as before; file and syslog logging are on only when asked.
 */
record LoggingSettings(boolean enabled, boolean console, boolean colors, int minimumSeverity,
    Optional<Path> file, List<SyslogServer> servers) {

  /** Syslog severity 6 (informational). */
  static final int DEFAULT_SEVERITY = 6;
  static final LoggingSettings DEFAULT = new LoggingSettings(true, true, false, DEFAULT_SEVERITY, Optional.empty(), List.of());

  private static final Set<String> KEYS = Set.of("enable", "consolelogging", "enablecolors", "minimumseverity",
      "logdirectory", "logfilename", "servers", "logqueries", "logresults");

  /** One syslog receiver, reached over UDP. */
  record SyslogServer(String hostname, int port) {}

  /** @throws IllegalArgumentException naming the key and what was wrong */
  static LoggingSettings read(JsonNode logging) {
    if (logging == null) return DEFAULT;
    if (!logging.isObject()) throw new IllegalArgumentException("Logging: " + logging + " (expected: an object)");
    for (var entry : logging.properties()) {
      if (!KEYS.contains(entry.getKey().toLowerCase(Locale.ROOT))) {
        throw new IllegalArgumentException("Logging." + entry.getKey() + ": not a setting this server honours (known: "
            + "Enable, ConsoleLogging, EnableColors, MinimumSeverity, LogDirectory, LogFilename, Servers, LogQueries, LogResults)");
      }
    }
    for (String bodyLogging : List.of("LogQueries", "LogResults")) {
      if (bool(logging, bodyLogging, false)) {
        throw new IllegalArgumentException("Logging." + bodyLogging
            + ": true is not supported (request and response bodies are not logged); set it to false or remove it");
      }
    }
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
    return new LoggingSettings(bool(logging, "Enable", true), bool(logging, "ConsoleLogging", true),
        bool(logging, "EnableColors", false), minimumSeverity, file, servers(ServerSettings.field(logging, "Servers")));
  }

  private static boolean bool(JsonNode node, String name, boolean fallback) {
    JsonNode value = ServerSettings.field(node, name);
    if (value == null) return fallback;
    if (!value.isBoolean()) throw new IllegalArgumentException("Logging." + name + ": " + value + " (expected: true or false)");
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
      if (!server.isObject()) throw new IllegalArgumentException(path + ": " + server + " (expected: an object)");
      for (var entry : server.properties()) {
        String key = entry.getKey().toLowerCase(Locale.ROOT);
        if (!key.equals("hostname") && !key.equals("port")) {
          throw new IllegalArgumentException(path + "." + entry.getKey()
              + ": not a setting this server honours (known: Hostname, Port)");
        }
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
