package io.ollamaflow.core.internal.admin;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ollamaflow.api.ApiKey;
import io.ollamaflow.api.ApiKeyUsage;
import io.ollamaflow.api.Backend;
import io.ollamaflow.api.ErrorCode;
import io.ollamaflow.api.FlowException;
import io.ollamaflow.api.Frontend;
import io.ollamaflow.api.HealthState;
import io.ollamaflow.api.HealthStatus;
import io.ollamaflow.core.ConfigJson;
import io.ollamaflow.core.FlowAdmin;
import io.ollamaflow.core.ModelPull;
import io.ollamaflow.core.internal.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The admin API's JSON: OllamaFlow's names, indented as OllamaFlow indents (two spaces,
 * {@code "Name": value}, one array element per line), nulls left out, secrets redacted.
 */
final class AdminJson {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final ObjectWriter PRETTY = Json.MAPPER.writer(new DefaultPrettyPrinter()
      .withSeparators(Separators.createDefaultInstance()
          .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
          .withObjectEmptySeparator("")
          .withArrayEmptySeparator(""))
      .withObjectIndenter(new DefaultIndenter("  ", "\n"))
      .withArrayIndenter(new DefaultIndenter("  ", "\n")));
  private static final ObjectReader READER = Json.MAPPER.reader()
      .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .with(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .without(JsonParser.Feature.ALLOW_COMMENTS);

  private AdminJson() {}

  static byte[] bytes(JsonNode json) {
    try {
      return PRETTY.writeValueAsString(json).getBytes(StandardCharsets.UTF_8);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a JSON tree", e);
    }
  }

  /**
   * The request body as JSON.
   *
   * @param what what the body should hold, for the messages ("a frontend object")
   * @throws FlowException {@link ErrorCode#BAD_REQUEST} for an empty body or malformed JSON
   */
  static JsonNode parse(byte[] body, String what) {
    if (isBlank(body)) {
      throw new FlowException(ErrorCode.BAD_REQUEST, "the request body is empty (expected: " + what + ")");
    }
    try {
      return READER.readTree(body);
    } catch (JsonProcessingException e) {
      throw new FlowException(ErrorCode.BAD_REQUEST, "the request body is not valid JSON: " + Json.describe(e)
          + " (expected: " + what + ")");
    } catch (IOException e) {
      throw new FlowException(ErrorCode.BAD_REQUEST, "the request body could not be read (expected: " + what + ")");
    }
  }

  private static boolean isBlank(byte[] body) {
    for (byte b : body) {
      if (b != ' ' && b != '\t' && b != '\r' && b != '\n') return false;
    }
    return true;
  }

  static ObjectNode frontend(Frontend frontend) {
    return ConfigJson.toJson(frontend);
  }

  static ObjectNode backend(Backend backend) {
    return ConfigJson.toJson(Secrets.redacted(backend));
  }

  /** An API key with its usage under {@code Usage} (zeros when null); never its secret or hash. */
  static ObjectNode apiKey(ApiKey key, ApiKeyUsage usage) {
    ObjectNode json = ConfigJson.toJson(key);
    json.set("Usage", usageFields(NODES.objectNode(), usage != null ? usage
        : new ApiKeyUsage(key.identifier(), 0, 0, 0, 0, null)));
    return json;
  }

  /** Every key with its usage, in the order of {@code keys}. */
  static ArrayNode apiKeys(List<ApiKey> keys, List<ApiKeyUsage> usage) {
    Map<String, ApiKeyUsage> byKey = new HashMap<>();
    usage.forEach(u -> byKey.put(u.identifier(), u));
    return array(keys, k -> apiKey(k, byKey.get(k.identifier())));
  }

  /** A key just created or rotated: the key, and its secret under {@code Secret}, shown this once. */
  static ObjectNode issued(FlowAdmin.IssuedApiKey issued, ApiKeyUsage usage) {
    return apiKey(issued.key(), usage).put("Secret", issued.secret());
  }

  static ObjectNode usage(ApiKeyUsage usage) {
    return usageFields(NODES.objectNode().put("Identifier", usage.identifier()), usage);
  }

  private static ObjectNode usageFields(ObjectNode json, ApiKeyUsage usage) {
    json.put("Requests", usage.requests());
    json.put("PromptTokens", usage.promptTokens());
    json.put("CompletionTokens", usage.completionTokens());
    json.put("Refusals", usage.refusals());
    if (usage.lastUsedUtc() != null) json.put("LastUsedUtc", ConfigJson.time(usage.lastUsedUtc()));
    return json;
  }

  /**
   * A backend's health view: the backend (redacted), then what OllamaFlow leaves implicit, said
   * plainly. OllamaFlow's own {@code HealthySinceUtc}/{@code UnhealthySinceUtc} are kept so its
   * web UI shows the right state, with its {@code Uptime}/{@code Downtime} (time since then).
   */
  /** A frontend's queue: requests waiting in this instance for a slot on one of its backends. */
  static ObjectNode queue(Frontend frontend, int queued) {
    return NODES.objectNode().put("Identifier", frontend.identifier()).put("Queued", queued);
  }

  static ObjectNode health(FlowAdmin.BackendHealth view) {
    ObjectNode json = backend(view.backend());
    HealthStatus health = view.health();
    json.put("Healthy", view.healthy());
    json.put("HealthState", stateName(health.state()));
    if (health.since() != null && health.state() == HealthState.HEALTHY) {
      json.put("HealthySinceUtc", ConfigJson.time(health.since()));
      json.put("Uptime", TimeSpans.format(Duration.between(health.since(), Instant.now())));
    }
    if (health.since() != null && health.state() == HealthState.UNHEALTHY) {
      json.put("UnhealthySinceUtc", ConfigJson.time(health.since()));
      json.put("Downtime", TimeSpans.format(Duration.between(health.since(), Instant.now())));
    }
    if (health.lastError() != null) json.put("LastError", health.lastError());
    json.put("ActiveRequests", view.activeRequests());
    json.put("ConcurrencyLimit", view.concurrencyLimit());
    json.put("ExternalLoad", view.externalLoad());
    json.put("ModelsKnown", view.modelsKnown());
    ArrayNode models = json.putArray("Models");
    view.installedModels().forEach((name, digest) -> {
      ObjectNode model = models.addObject().put("Name", name);
      if (!digest.isEmpty()) model.put("Digest", digest);
      Instant loadedUntil = view.loadedModels().get(name);
      model.put("Loaded", loadedUntil != null);
      if (loadedUntil != null) model.put("LoadedUntilUtc", ConfigJson.time(loadedUntil));
    });
    ArrayNode conflicts = json.putArray("DigestConflicts");
    view.digestConflicts().forEach(conflicts::add);
    ArrayNode traffic = json.putArray("Traffic");
    for (FlowAdmin.TrafficBucket bucket : view.traffic()) {
      traffic.addObject().put("StartUtc", ConfigJson.time(bucket.start()))
          .put("Seconds", bucket.length().toSeconds())
          .put("Requests", bucket.requests())
          .put("Errors", bucket.errors())
          .put("MeanLatencyMs", bucket.meanLatency().toNanos() / 1e6)
          .put("MeanTtftMs", bucket.meanTimeToFirstByte().toNanos() / 1e6);
    }
    ArrayNode pulls = json.putArray("ModelPulls");
    for (ModelPull pull : view.pulls()) {
      ObjectNode p = pulls.addObject().put("Model", pull.model()).put("State", pull.state().name())
          .put("Status", pull.status()).put("Completed", pull.completed()).put("Total", pull.total())
          .put("UpdatedUtc", ConfigJson.time(pull.updatedUtc()));
      if (pull.error() != null) p.put("Error", pull.error());
    }
    return json;
  }

  static ObjectNode session(FlowAdmin.StickySession session) {
    ObjectNode json = NODES.objectNode();
    json.put("FrontendId", session.frontendId());
    json.put("ClientKey", session.clientKey());
    json.put("BackendId", session.backendId());
    json.put("CreatedUtc", ConfigJson.time(session.createdUtc()));
    json.put("ExpiresUtc", ConfigJson.time(session.expiresUtc()));
    json.put("LastAccessUtc", ConfigJson.time(session.lastAccessUtc()));
    return json;
  }

  static <T> ArrayNode array(List<T> items, Function<T, ObjectNode> writer) {
    ArrayNode array = NODES.arrayNode();
    items.forEach(item -> array.add(writer.apply(item)));
    return array;
  }

  /** OllamaFlow's error body, with {@code StatusCode} equal to the real HTTP status. */
  static ObjectNode error(AdminError error, int status, String description) {
    ObjectNode json = NODES.objectNode();
    json.put("Error", error.name);
    json.put("Message", error.message);
    json.put("StatusCode", status);
    if (description != null) json.put("Description", description);
    return json;
  }

  private static String stateName(HealthState state) {
    switch (state) {
      case HEALTHY: return "Healthy";
      case UNHEALTHY: return "Unhealthy";
      default: return "Unknown";
    }
  }

  /** OllamaFlow's error names and their fixed messages. */
  enum AdminError {
    AUTHENTICATION_FAILED("AuthenticationFailed", "Your authentication material was not accepted."),
    BAD_REQUEST("BadRequest", "We were unable to discern your request.  Please check your URL, query, and request body."),
    NOT_FOUND("NotFound", "The requested resource was not found."),
    CONFLICT("Conflict", "The request conflicts with the current configuration."),
    TOO_LARGE("TooLarge", "The size of your request exceeds the maximum allowed by this server."),
    INTERNAL_ERROR("InternalError", "An internal error has been encountered.");

    final String name;
    final String message;

    AdminError(String name, String message) {
      this.name = name;
      this.message = message;
    }

    static AdminError of(ErrorCode code) {
      switch (code.httpStatus()) {
        case 401: return AUTHENTICATION_FAILED;
        case 404: return NOT_FOUND;
        case 409: return CONFLICT;
        case 413: return TOO_LARGE;
        default: return code.httpStatus() < 500 ? BAD_REQUEST : INTERNAL_ERROR;
      }
    }
  }
}
