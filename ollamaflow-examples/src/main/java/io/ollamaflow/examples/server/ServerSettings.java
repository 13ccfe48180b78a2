package io.ollamaflow.examples.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.ollamaflow.api.Backend;
import io.ollamaflow.api.Frontend;
import io.ollamaflow.core.ConfigJson;
import io.ollamaflow.core.FlowCluster;
import io.ollamaflow.core.http.HttpServerOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * The standalone server's {@code ollamaflow.json}: OllamaFlow's keys ({@code Webserver},
 * {@code DatabaseFilename}, {@code AdminBearerTokens}, {@code StickyHeaders}, {@code Logging}),
 * plus optional {@code Frontends} and {@code Backends} arrays that seed an empty store,
 * {@code AllowedOrigins}, the browser origins allowed besides Ollama's defaults, and an optional
 * {@code Database} section for a shared PostgreSQL ({@link DatabaseSettings}).
 * {@code Webserver.IO} sets the listener's limits ({@link HttpServerOptions}), under OllamaFlow's
 * names where it has one ({@code ReadTimeoutMs}, {@code MaxIncomingHeadersSize});
 * {@code Webserver.Ssl} adds HTTPS ({@link SslSettings}), {@code Webserver.AccessControl} filters
 * client addresses ({@link AccessControlSettings}).
 */
final class ServerSettings {
  static final String DEFAULT_HOSTNAME = "localhost";
  static final int DEFAULT_PORT = 43411;
  static final String DEFAULT_DATABASE = "./ollamaflow.db";
  static final String DEFAULT_ADMIN_TOKEN = "ollamaflowadmin";

  private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  // The keys each object may hold; the README lists those accepted and ignored.
  private static final SettingsKeys TOP_KEYS = SettingsKeys.of("Logging", "Webserver", "DatabaseFilename",
      "AdminBearerTokens", "StickyHeaders", "Database", "AllowedOrigins", "StickySessionLimits", "Frontends", "Backends",
      "RequestBodySpool");
  private static final SettingsKeys WEBSERVER_KEYS = SettingsKeys.of("Hostname", "Port", "IO", "Ssl", "AccessControl",
      "Headers", "Prefix", "Debug");
  private static final SettingsKeys IO_KEYS = SettingsKeys.of("MaxConnections", "MaxConnectionsPerAddress",
      "RequestHeadTimeoutMs", "ReadTimeoutMs", "MinRequestBodyBytesPerSecond", "BufferedRequestBodySize", "IdleTimeoutMs",
      "WriteTimeoutMs", "MaxIncomingHeadersSize", "ShutdownGraceMs", "StreamBufferSize", "MaxRequests", "EnableKeepAlive");
  private static final SettingsKeys HEADERS_KEYS = SettingsKeys.of("IncludeContentLength", "DefaultHeaders");
  /** Watson's default response headers: request-style headers and CORS, which the server sets itself. */
  private static final SettingsKeys DEFAULT_HEADERS_KEYS = SettingsKeys.of("Access-Control-Allow-Origin",
      "Access-Control-Allow-Methods", "Access-Control-Allow-Headers", "Access-Control-Expose-Headers", "Accept",
      "Accept-Language", "Accept-Charset", "Cache-Control", "Connection", "Host");
  private static final SettingsKeys DEBUG_KEYS = SettingsKeys.of("AccessControl", "Routing", "Requests", "Responses");
  private static final SettingsKeys STICKY_LIMITS_KEYS = SettingsKeys.of("MaxSessions", "MaxKeyLength");

  final String hostname;
  final int port;
  final HttpServerOptions httpOptions;
  final String databaseFilename;
  final DatabaseSettings database;
  final List<String> adminBearerTokens;
  final List<String> stickyHeaders;
  final List<String> allowedOrigins;
  final int maxStickySessions;
  final int maxStickyKeyLength;
  final List<Frontend> frontends;
  final List<Backend> backends;
  final LoggingSettings logging;
  final RequestBodySettings requestBodies;

  private ServerSettings(JsonNode root) {
    TOP_KEYS.check(root, "");
    JsonNode webserver = field(root, "Webserver");
    if (webserver != null) webserverChecks(webserver);
    hostname = webserver == null ? DEFAULT_HOSTNAME : text(webserver, "Webserver.Hostname", "Hostname", DEFAULT_HOSTNAME);
    port = webserver == null ? DEFAULT_PORT : port(webserver);
    HttpServerOptions.Builder http = io(webserver == null ? null : field(webserver, "IO"));
    SslSettings.apply(webserver == null ? null : field(webserver, "Ssl"), http);
    AccessControlSettings.apply(webserver == null ? null : field(webserver, "AccessControl"), http);
    httpOptions = http.build();
    databaseFilename = text(root, "DatabaseFilename", "DatabaseFilename", DEFAULT_DATABASE);
    database = DatabaseSettings.read(field(root, "Database"));
    adminBearerTokens = strings(root, "AdminBearerTokens", List.of());
    stickyHeaders = strings(root, "StickyHeaders", FlowCluster.DEFAULT_STICKY_HEADERS);
    allowedOrigins = strings(root, "AllowedOrigins", List.of());
    JsonNode limits = field(root, "StickySessionLimits");
    if (limits != null) STICKY_LIMITS_KEYS.check(limits, "StickySessionLimits");
    maxStickySessions = positive(limits, "MaxSessions", FlowCluster.DEFAULT_MAX_STICKY_SESSIONS);
    maxStickyKeyLength = positive(limits, "MaxKeyLength", FlowCluster.DEFAULT_MAX_STICKY_KEY_LENGTH);
    try {
      FlowCluster.builder().stickySessionLimits(maxStickySessions, maxStickyKeyLength);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("StickySessionLimits: " + e.getMessage(), e);
    }
    frontends = objects(root, "Frontends", ConfigJson::frontend);
    backends = objects(root, "Backends", ConfigJson::backend);
    logging = LoggingSettings.read(field(root, "Logging"));
    requestBodies = RequestBodySettings.read(field(root, "RequestBodySpool"));
  }

  /**
   * Reads the file, or writes a default one (OllamaFlow's defaults: localhost:43411, token
   * {@code ollamaflowadmin}) when it does not exist.
   *
   * @throws IllegalArgumentException naming what is wrong in the file
   */
  static ServerSettings load(Path file) throws IOException {
    if (!Files.exists(file)) {
      Files.writeString(file, MAPPER.writeValueAsString(defaults()));
    }
    JsonNode root;
    try {
      root = MAPPER.readTree(file.toFile());
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException(file + " is not valid JSON: " + e.getOriginalMessage()
          + " at line " + e.getLocation().getLineNr());
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException(file + ": expected a JSON object at the top");
    }
    return new ServerSettings(root);
  }

  /** True when the server should listen on every interface ({@code *}, {@code +} or {@code 0.0.0.0}). */
  boolean bindsAllInterfaces() {
    return hostname.equals("*") || hostname.equals("+") || hostname.equals("0.0.0.0");
  }

  private static ObjectNode defaults() {
    ObjectNode root = MAPPER.createObjectNode();
    ObjectNode webserver = root.putObject("Webserver");
    webserver.put("Hostname", DEFAULT_HOSTNAME);
    webserver.put("Port", DEFAULT_PORT);
    root.put("DatabaseFilename", DEFAULT_DATABASE);
    root.putArray("AdminBearerTokens").add(DEFAULT_ADMIN_TOKEN);
    ArrayNode sticky = root.putArray("StickyHeaders");
    FlowCluster.DEFAULT_STICKY_HEADERS.forEach(sticky::add);
    return root;
  }

  /** The Webserver keys not read into a setting: the section's own and the ignored ones. */
  private static void webserverChecks(JsonNode webserver) {
    WEBSERVER_KEYS.check(webserver, "Webserver");
    JsonNode headers = field(webserver, "Headers");
    if (headers != null) {
      HEADERS_KEYS.check(headers, "Webserver.Headers");
      JsonNode defaults = field(headers, "DefaultHeaders");
      if (defaults != null) {
        DEFAULT_HEADERS_KEYS.check(defaults, "Webserver.Headers.DefaultHeaders");
      }
    }
    JsonNode debug = field(webserver, "Debug");
    if (debug != null) DEBUG_KEYS.check(debug, "Webserver.Debug");
  }

  /** A top-level field by case-insensitive name, as OllamaFlow reads it; null if absent or null. */
  static JsonNode field(JsonNode node, String name) {
    for (var entry : node.properties()) {
      if (entry.getKey().equalsIgnoreCase(name)) return entry.getValue().isNull() ? null : entry.getValue();
    }
    return null;
  }

  private static String text(JsonNode node, String path, String name, String fallback) {
    JsonNode value = field(node, name);
    if (value == null) return fallback;
    if (!value.isTextual() || value.textValue().isBlank()) {
      throw new IllegalArgumentException(path + ": " + value + " (expected: a non-empty string)");
    }
    return value.textValue();
  }

  private static int port(JsonNode webserver) {
    JsonNode value = field(webserver, "Port");
    if (value == null) return DEFAULT_PORT;
    if (!value.isIntegralNumber() || value.intValue() < 0 || value.intValue() > 65535) {
      throw new IllegalArgumentException("Webserver.Port: " + value + " (expected: 0-65535)");
    }
    return value.intValue();
  }

  /** {@code StickySessionLimits.<name>}: a positive integer; the cluster checks its range. */
  private static int positive(JsonNode limits, String name, int fallback) {
    JsonNode value = limits == null ? null : field(limits, name);
    if (value == null) return fallback;
    if (!value.isIntegralNumber() || !value.canConvertToInt() || value.intValue() < 1) {
      throw new IllegalArgumentException("StickySessionLimits." + name + ": " + value + " (expected: a positive integer)");
    }
    return value.intValue();
  }

  private static HttpServerOptions.Builder io(JsonNode io) {
    HttpServerOptions.Builder b = HttpServerOptions.builder();
    if (io == null) return b;
    IO_KEYS.check(io, "Webserver.IO");
    number(io, "MaxConnections", n -> b.maxConnections(toInt(n)));
    number(io, "MaxConnectionsPerAddress", n -> b.maxConnectionsPerAddress(toInt(n)));
    number(io, "RequestHeadTimeoutMs", n -> b.requestHeadTimeout(Duration.ofMillis(n)));
    number(io, "ReadTimeoutMs", n -> b.readTimeout(Duration.ofMillis(n)));
    number(io, "MinRequestBodyBytesPerSecond", b::minBodyBytesPerSecond);
    number(io, "BufferedRequestBodySize", n -> b.bufferedBodyBytes(toInt(n)));
    number(io, "IdleTimeoutMs", n -> b.idleTimeout(Duration.ofMillis(n)));
    number(io, "WriteTimeoutMs", n -> b.writeTimeout(Duration.ofMillis(n)));
    number(io, "MaxIncomingHeadersSize", n -> b.maxHeadBytes(toInt(n)));
    number(io, "ShutdownGraceMs", n -> b.shutdownGrace(Duration.ofMillis(n)));
    return b;
  }

  /** Applies {@code Webserver.IO.<name>} when present; the error names the key and the allowed range. */
  private static void number(JsonNode io, String name, LongConsumer apply) {
    JsonNode value = field(io, name);
    if (value == null) return;
    if (!value.isIntegralNumber() || !value.canConvertToLong()) {
      throw new IllegalArgumentException("Webserver.IO." + name + ": " + value + " (expected: a whole number)");
    }
    try {
      apply.accept(value.longValue());
    } catch (IllegalArgumentException | ArithmeticException e) {
      // The builder's message names its own parameter: keep only the range it allows.
      String why = e.getMessage();
      int expected = why.indexOf("(expected");
      throw new IllegalArgumentException("Webserver.IO." + name + ": " + value + " "
          + (expected >= 0 ? why.substring(expected) : "(expected: a smaller number)"));
    }
  }

  private static int toInt(long n) {
    return Math.toIntExact(n);
  }

  private static List<String> strings(JsonNode root, String name, List<String> fallback) {
    JsonNode value = field(root, name);
    if (value == null) return fallback;
    List<String> values = new ArrayList<>();
    if (value.isArray()) {
      for (JsonNode item : value) {
        if (!item.isTextual()) break;
        values.add(item.textValue());
      }
      if (values.size() == value.size()) return List.copyOf(values);
    }
    throw new IllegalArgumentException(name + ": " + value + " (expected: an array of strings)");
  }

  private static <T> List<T> objects(JsonNode root, String name, java.util.function.Function<JsonNode, T> reader) {
    JsonNode value = field(root, name);
    if (value == null) return List.of();
    if (!value.isArray()) throw new IllegalArgumentException(name + ": expected an array of objects");
    List<T> values = new ArrayList<>();
    for (int i = 0; i < value.size(); i++) {
      try {
        values.add(reader.apply(value.get(i)));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(name + "[" + i + "]: " + e.getMessage(), e);
      }
    }
    return List.copyOf(values);
  }
}
