package io.ollamaflow.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ollamaflow.api.ApiFormat;
import io.ollamaflow.api.ApiKey;
import io.ollamaflow.api.Backend;
import io.ollamaflow.api.Frontend;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads and writes {@link Frontend} and {@link Backend} in OllamaFlow's JSON, and {@link ApiKey}
 * settings in the same style.
 *
 * <p>Reading: PascalCase names matched ignoring case, missing or null fields left at their
 * defaults. Unlike OllamaFlow it refuses unknown fields (a misspelt {@code "Hostnme"} would
 * otherwise be dropped in silence), except the read-only health fields that OllamaFlow's tools
 * and our own health view send back. Every error names the field, the value and what was
 * expected; the value is left out for {@code BearerToken} and {@code Headers}, which hold secrets.
 *
 * <p>Writing: OllamaFlow's names in its order, nulls left out, times as
 * {@code yyyy-MM-ddTHH:mm:ss.ffffffZ}, and the built-in policies {@code round-robin} and
 * {@code random} under OllamaFlow's names {@code RoundRobin} and {@code Random} (other policies
 * under their own names). Written objects read back equal. Secrets are written as they are: a
 * caller that shows the JSON to anyone redacts them first.
 */
public final class ConfigJson {
  private static final Set<String> READ_ONLY_BACKEND_FIELDS = Set.of("healthysinceutc", "unhealthysinceutc", "uptime",
      "downtime", "activerequests", "issticky", "healthy", "healthstate", "lasterror");
  private static final DateTimeFormatter TIME_FORMAT =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

  private ConfigJson() {}

  /** @throws IllegalArgumentException naming the first invalid field */
  public static Frontend frontend(JsonNode json) {
    Fields fields = new Fields(json, "frontend");
    Frontend.Builder b = Frontend.builder(fields.requiredIdentifier());
    for (Map.Entry<String, JsonNode> field : fields.entries()) {
      String name = field.getKey();
      JsonNode v = field.getValue();
      switch (name.toLowerCase(Locale.ROOT)) {
        case "identifier": break;
        case "name": b.name(text(name, v)); break;
        case "hostname": b.hostname(text(name, v)); break;
        case "timeoutms": b.timeoutMs(integer(name, v)); break;
        case "loadbalancing": b.loadBalancing(policy(name, v)); break;
        case "blockhttp10": b.blockHttp10(bool(name, v)); break;
        case "maxrequestbodysize": b.maxRequestBodySize(longInteger(name, v)); break;
        case "backends": b.backends(strings(name, v)); break;
        case "requiredmodels": b.requiredModels(strings(name, v)); break;
        case "logrequestfull": b.logRequestFull(bool(name, v)); break;
        case "logrequestbody": b.logRequestBody(bool(name, v)); break;
        case "logresponsebody": b.logResponseBody(bool(name, v)); break;
        case "usestickysessions": b.useStickySessions(bool(name, v)); break;
        case "stickysessionexpirationms": b.stickySessionExpirationMs(integer(name, v)); break;
        case "pinnedembeddingsproperties": b.pinnedEmbeddingsProperties(object(name, v)); break;
        case "pinnedcompletionsproperties": b.pinnedCompletionsProperties(object(name, v)); break;
        case "modelaliases": b.modelAliases(stringMap(name, v)); break;
        case "listconfiguredmodelsonly": b.listConfiguredModelsOnly(bool(name, v)); break;
        case "preloadmodels": b.preloadModels(strings(name, v)); break;
        case "keepmodelsloaded": b.keepModelsLoaded(bool(name, v)); break;
        case "defaultembeddingsproperties": b.defaultEmbeddingsProperties(object(name, v)); break;
        case "defaultcompletionsproperties": b.defaultCompletionsProperties(object(name, v)); break;
        case "allowembeddings": b.allowEmbeddings(bool(name, v)); break;
        case "allowcompletions": b.allowCompletions(bool(name, v)); break;
        case "allowretries": b.allowRetries(bool(name, v)); break;
        case "requireapikey": b.requireApiKey(bool(name, v)); break;
        case "active": b.active(bool(name, v)); break;
        case "createdutc": b.createdUtc(instant(name, v)); break;
        case "lastupdateutc": b.lastUpdateUtc(instant(name, v)); break;
        default: throw unknown("frontend", name);
      }
    }
    return b.build();
  }

  /** @throws IllegalArgumentException naming the first invalid field */
  public static Backend backend(JsonNode json) {
    Fields fields = new Fields(json, "backend");
    Backend.Builder b = Backend.builder(fields.requiredIdentifier());
    for (Map.Entry<String, JsonNode> field : fields.entries()) {
      String name = field.getKey();
      JsonNode v = field.getValue();
      switch (name.toLowerCase(Locale.ROOT)) {
        case "identifier": break;
        case "name": b.name(text(name, v)); break;
        case "hostname": b.hostname(text(name, v)); break;
        case "port": b.port(integer(name, v)); break;
        case "ssl": b.ssl(bool(name, v)); break;
        case "unhealthythreshold": b.unhealthyThreshold(integer(name, v)); break;
        case "healthythreshold": b.healthyThreshold(integer(name, v)); break;
        case "healthcheckmethod": b.healthCheckMethod(text(name, v)); break;
        case "healthcheckurl": b.healthCheckUrl(text(name, v)); break;
        case "maxparallelrequests": b.maxParallelRequests(integer(name, v)); break;
        case "ratelimitrequeststhreshold": b.rateLimitRequestsThreshold(integer(name, v)); break;
        case "weight": b.weight(integer(name, v)); break;
        case "logrequestfull": b.logRequestFull(bool(name, v)); break;
        case "logrequestbody": b.logRequestBody(bool(name, v)); break;
        case "logresponsebody": b.logResponseBody(bool(name, v)); break;
        case "apiformat": b.apiFormat(apiFormat(name, v)); break;
        case "labels": b.labels(strings(name, v)); break;
        case "pinnedembeddingsproperties": b.pinnedEmbeddingsProperties(object(name, v)); break;
        case "pinnedcompletionsproperties": b.pinnedCompletionsProperties(object(name, v)); break;
        case "allowembeddings": b.allowEmbeddings(bool(name, v)); break;
        case "allowcompletions": b.allowCompletions(bool(name, v)); break;
        case "bearertoken": b.bearerToken(text(name, v)); break;
        case "querystring": b.querystring(text(name, v)); break;
        case "headers": b.headers(stringMap(name, v)); break;
        case "active": b.active(bool(name, v)); break;
        case "createdutc": b.createdUtc(instant(name, v)); break;
        case "lastupdateutc": b.lastUpdateUtc(instant(name, v)); break;
        default:
          if (!READ_ONLY_BACKEND_FIELDS.contains(name.toLowerCase(Locale.ROOT))) throw unknown("backend", name);
      }
    }
    return b.build();
  }

  /**
   * An API key's settings, without its secret: the server issues secrets (see {@code
   * FlowAdmin#createApiKey}), so the returned builder still needs one. {@code KeyPrefix},
   * {@code CreatedUtc}, {@code LastUpdateUtc} and {@code Usage} are read-only: accepted so that an
   * object read from the admin API can be sent back whole, and ignored. {@code Secret} and
   * {@code KeyHash} are refused.
   *
   * @throws IllegalArgumentException naming the first invalid field
   */
  public static ApiKey.Builder apiKey(JsonNode json) {
    Fields fields = new Fields(json, "API key");
    ApiKey.Builder b = ApiKey.builder(fields.requiredIdentifier());
    for (Map.Entry<String, JsonNode> field : fields.entries()) {
      String name = field.getKey();
      JsonNode v = field.getValue();
      switch (name.toLowerCase(Locale.ROOT)) {
        case "identifier", "keyprefix", "createdutc", "lastupdateutc", "usage": break;
        case "name": b.name(text(name, v)); break;
        case "frontends": b.frontends(strings(name, v)); break;
        case "models": b.models(strings(name, v)); break;
        case "requestsperminute": b.requestsPerMinute(integer(name, v)); break;
        case "tokensperminute": b.tokensPerMinute(longInteger(name, v)); break;
        case "maxconcurrentrequests": b.maxConcurrentRequests(integer(name, v)); break;
        case "expiresutc": b.expiresUtc(instant(name, v)); break;
        case "active": b.active(bool(name, v)); break;
        case "secret", "keyhash":
          throw new IllegalArgumentException(name + ": cannot be set (expected: leave it out; the server issues the"
              + " secret when the key is created or rotated, and shows it once)");
        default: throw unknown("API key", name);
      }
    }
    return b;
  }

  /** The API key as the admin API shows it: its prefix, never its secret or hash. */
  public static ObjectNode toJson(ApiKey k) {
    ObjectNode json = JsonNodeFactory.instance.objectNode();
    json.put("Identifier", k.identifier());
    if (k.name() != null) json.put("Name", k.name());
    json.put("KeyPrefix", k.keyPrefix());
    k.frontends().forEach(json.putArray("Frontends")::add);
    k.models().forEach(json.putArray("Models")::add);
    json.put("RequestsPerMinute", k.requestsPerMinute());
    json.put("TokensPerMinute", k.tokensPerMinute());
    json.put("MaxConcurrentRequests", k.maxConcurrentRequests());
    k.expiresUtc().ifPresent(expires -> json.put("ExpiresUtc", time(expires)));
    json.put("Active", k.active());
    json.put("CreatedUtc", time(k.createdUtc()));
    json.put("LastUpdateUtc", time(k.lastUpdateUtc()));
    return json;
  }

  /** The frontend as OllamaFlow writes it; reading the result with {@link #frontend(JsonNode)} gives it back. */
  public static ObjectNode toJson(Frontend f) {
    ObjectNode json = JsonNodeFactory.instance.objectNode();
    json.put("Identifier", f.identifier());
    if (f.name() != null) json.put("Name", f.name());
    json.put("Hostname", f.hostname());
    json.put("TimeoutMs", f.timeoutMs());
    json.put("LoadBalancing", policyName(f.loadBalancing()));
    json.put("BlockHttp10", f.blockHttp10());
    json.put("MaxRequestBodySize", f.maxRequestBodySize());
    f.backends().forEach(json.putArray("Backends")::add);
    f.requiredModels().forEach(json.putArray("RequiredModels")::add);
    json.put("LogRequestFull", f.logRequestFull());
    json.put("LogRequestBody", f.logRequestBody());
    json.put("LogResponseBody", f.logResponseBody());
    json.put("UseStickySessions", f.useStickySessions());
    json.put("StickySessionExpirationMs", f.stickySessionExpirationMs());
    json.set("PinnedEmbeddingsProperties", f.pinnedEmbeddingsProperties());
    json.set("PinnedCompletionsProperties", f.pinnedCompletionsProperties());
    ObjectNode aliases = json.putObject("ModelAliases");
    f.modelAliases().forEach(aliases::put);
    json.put("ListConfiguredModelsOnly", f.listConfiguredModelsOnly());
    f.preloadModels().forEach(json.putArray("PreloadModels")::add);
    json.put("KeepModelsLoaded", f.keepModelsLoaded());
    json.set("DefaultEmbeddingsProperties", f.defaultEmbeddingsProperties());
    json.set("DefaultCompletionsProperties", f.defaultCompletionsProperties());
    json.put("AllowEmbeddings", f.allowEmbeddings());
    json.put("AllowCompletions", f.allowCompletions());
    json.put("AllowRetries", f.allowRetries());
    json.put("RequireApiKey", f.requireApiKey());
    json.put("Active", f.active());
    json.put("CreatedUtc", time(f.createdUtc()));
    json.put("LastUpdateUtc", time(f.lastUpdateUtc()));
    return json;
  }

  /**
   * The backend as OllamaFlow writes it, bearer token and header values included; reading the
   * result with {@link #backend(JsonNode)} gives it back.
   */
  public static ObjectNode toJson(Backend b) {
    ObjectNode json = JsonNodeFactory.instance.objectNode();
    json.put("Identifier", b.identifier());
    if (b.name() != null) json.put("Name", b.name());
    json.put("Hostname", b.hostname());
    json.put("Port", b.port());
    json.put("Ssl", b.ssl());
    json.put("UnhealthyThreshold", b.unhealthyThreshold());
    json.put("HealthyThreshold", b.healthyThreshold());
    json.put("HealthCheckMethod", b.healthCheckMethod());
    json.put("HealthCheckUrl", b.healthCheckUrl());
    json.put("MaxParallelRequests", b.maxParallelRequests());
    json.put("RateLimitRequestsThreshold", b.rateLimitRequestsThreshold());
    json.put("Weight", b.weight());
    json.put("LogRequestFull", b.logRequestFull());
    json.put("LogRequestBody", b.logRequestBody());
    json.put("LogResponseBody", b.logResponseBody());
    json.put("ApiFormat", b.apiFormat().name());
    b.labels().forEach(json.putArray("Labels")::add);
    json.set("PinnedEmbeddingsProperties", b.pinnedEmbeddingsProperties());
    json.set("PinnedCompletionsProperties", b.pinnedCompletionsProperties());
    json.put("AllowEmbeddings", b.allowEmbeddings());
    json.put("AllowCompletions", b.allowCompletions());
    if (b.bearerToken() != null) json.put("BearerToken", b.bearerToken());
    if (b.querystring() != null) json.put("Querystring", b.querystring());
    ObjectNode headers = json.putObject("Headers");
    b.headers().forEach(headers::put);
    json.put("Active", b.active());
    json.put("CreatedUtc", time(b.createdUtc()));
    json.put("LastUpdateUtc", time(b.lastUpdateUtc()));
    return json;
  }

  /** A time as OllamaFlow writes it: UTC with six fraction digits, {@code 2025-01-31T12:00:00.000000Z}. */
  public static String time(Instant instant) {
    return TIME_FORMAT.format(instant);
  }

  /** OllamaFlow's enum names for the two policies it has; other policies keep their own names. */
  private static String policyName(String policy) {
    if (policy.equals(Frontend.ROUND_ROBIN)) return "RoundRobin";
    if (policy.equals(Frontend.RANDOM)) return "Random";
    return policy;
  }

  /** The object's fields, nulls left out (they mean "default"), and its identifier. */
  private static final class Fields {
    private final List<Map.Entry<String, JsonNode>> entries = new ArrayList<>();
    private final String kind;
    private String identifier;

    Fields(JsonNode json, String kind) {
      this.kind = kind;
      if (json == null || !json.isObject()) {
        throw new IllegalArgumentException(kind + ": expected a JSON object, got " + describe(json));
      }
      for (Map.Entry<String, JsonNode> field : json.properties()) {
        if (field.getValue().isNull()) continue;
        if (field.getKey().equalsIgnoreCase("identifier")) identifier = text("Identifier", field.getValue());
        entries.add(field);
      }
    }

    String requiredIdentifier() {
      if (identifier == null) {
        throw new IllegalArgumentException(kind + " Identifier: missing (expected: a non-empty string)");
      }
      return identifier;
    }

    List<Map.Entry<String, JsonNode>> entries() {
      return entries;
    }
  }

  private static IllegalArgumentException unknown(String kind, String name) {
    return new IllegalArgumentException(kind + " field \"" + name + "\" is not known (check its spelling)");
  }

  private static IllegalArgumentException wrongType(String field, JsonNode value, String expected) {
    String lower = field.toLowerCase(Locale.ROOT);
    // Never echo what may be a secret, even a mistyped one.
    boolean secret = lower.equals("bearertoken") || lower.equals("headers") || lower.startsWith("headers.");
    String shown = secret ? "(value not shown)" : describe(value);
    return new IllegalArgumentException(field + ": " + shown + " (expected: " + expected + ")");
  }

  private static String describe(JsonNode value) {
    if (value == null) return "nothing";
    String text = value.toString();
    return text.length() > 60 ? text.substring(0, 57) + "..." : text;
  }

  private static String text(String field, JsonNode v) {
    if (!v.isTextual()) throw wrongType(field, v, "a string");
    return v.textValue();
  }

  private static boolean bool(String field, JsonNode v) {
    if (!v.isBoolean()) throw wrongType(field, v, "true or false");
    return v.booleanValue();
  }

  private static int integer(String field, JsonNode v) {
    if (!v.isIntegralNumber() || !v.canConvertToInt()) throw wrongType(field, v, "an integer");
    return v.intValue();
  }

  private static long longInteger(String field, JsonNode v) {
    if (!v.isIntegralNumber() || !v.canConvertToLong()) throw wrongType(field, v, "an integer");
    return v.longValue();
  }

  private static List<String> strings(String field, JsonNode v) {
    if (!v.isArray()) throw wrongType(field, v, "an array of strings");
    List<String> values = new ArrayList<>();
    for (JsonNode item : v) {
      if (!item.isTextual()) throw wrongType(field, v, "an array of strings");
      values.add(item.textValue());
    }
    return values;
  }

  private static Map<String, String> stringMap(String field, JsonNode v) {
    if (!v.isObject()) throw wrongType(field, v, "an object of string values");
    Map<String, String> values = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> entry : v.properties()) {
      if (!entry.getValue().isTextual()) throw wrongType(field + "." + entry.getKey(), entry.getValue(), "a string");
      values.put(entry.getKey(), entry.getValue().textValue());
    }
    return values;
  }

  private static ObjectNode object(String field, JsonNode v) {
    if (!v.isObject()) throw wrongType(field, v, "a JSON object");
    return (ObjectNode) v;
  }

  private static Instant instant(String field, JsonNode v) {
    try {
      return Instant.parse(text(field, v));
    } catch (DateTimeParseException e) {
      throw wrongType(field, v, "an ISO-8601 UTC time such as 2025-01-31T12:00:00.000000Z");
    }
  }

  /** OllamaFlow writes its enum by name, and also accepts its numbers: 0 = Random, 1 = RoundRobin. */
  private static String policy(String field, JsonNode v) {
    if (v.isIntegralNumber()) {
      if (v.intValue() == 0) return Frontend.RANDOM;
      if (v.intValue() == 1) return Frontend.ROUND_ROBIN;
      throw wrongType(field, v, "a policy name, or OllamaFlow's 0 (Random) or 1 (RoundRobin)");
    }
    return text(field, v);
  }

  private static ApiFormat apiFormat(String field, JsonNode v) {
    String name = text(field, v);
    if (name.equalsIgnoreCase("Unknown")) throw wrongType(field, v, "Ollama or OpenAI");
    return ApiFormat.of(name);
  }
}
