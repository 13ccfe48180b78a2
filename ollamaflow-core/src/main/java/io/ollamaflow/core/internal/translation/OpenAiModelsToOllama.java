package io.ollamaflow.core.internal.translation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ollamaflow.api.ApiFormat;
import io.ollamaflow.api.ErrorCode;
import io.ollamaflow.api.FlowException;
import io.ollamaflow.core.internal.json.Json;
import io.ollamaflow.core.internal.models.ModelNames;
import io.ollamaflow.core.internal.models.ModelNotFound;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HexFormat;

/**
 * Ollama's model listing ({@code /api/tags}), loaded models ({@code /api/ps}) and model card ({@code /api/show}) synthesised from
 * an OpenAI {@code /v1/models} list. What OpenAI servers do not say (size, format, family) is
 * empty or zero, never invented; every field is present because Java clients map them strictly.
 */
final class OpenAiModelsToOllama {
  /** Ollama's "loaded until" for a model kept forever is the largest Go duration from now, some 292 years. */
  private static final long FOREVER_YEARS = 292;

  private OpenAiModelsToOllama() {}

  static ObjectNode tags(JsonNode modelList) {
    ObjectNode tags = Json.MAPPER.createObjectNode();
    ArrayNode models = tags.putArray("models");
    for (JsonNode entry : modelList.path("data")) {
      String id = entry.path("id").asText();
      models.addObject()
          .put("name", id)
          .put("model", id)
          .put("modified_at", modifiedAt(entry))
          .put("size", 0)
          .put("digest", sha256Hex(id))
          .set("details", details());
    }
    return tags;
  }

  /**
   * {@code /api/ps}: an OpenAI-format server keeps every model it serves in memory, so each is
   * listed as loaded, until the far future (what Ollama says of {@code keep_alive: -1}), with no
   * size it would know of.
   */
  static ObjectNode ps(JsonNode modelList) {
    ObjectNode ps = Json.MAPPER.createObjectNode();
    ArrayNode models = ps.putArray("models");
    String forever = OffsetDateTime.now(ZoneOffset.UTC).plusYears(FOREVER_YEARS).toString();
    for (JsonNode entry : modelList.path("data")) {
      String id = entry.path("id").asText();
      ObjectNode model = models.addObject()
          .put("name", id)
          .put("model", id)
          .put("size", 0)
          .put("digest", sha256Hex(id));
      model.set("details", details());
      model.put("expires_at", forever).put("size_vram", 0);
      if (entry.path("max_model_len").isNumber()) model.put("context_length", entry.get("max_model_len").asLong());
    }
    return ps;
  }

  /** @throws FlowException {@link ErrorCode#MODEL_NOT_FOUND}, in Ollama's words, when the list lacks the model */
  static ObjectNode show(JsonNode modelList, String model) {
    JsonNode entry = find(modelList, model);
    ObjectNode show = Json.MAPPER.createObjectNode().put("modelfile", "").put("parameters", "").put("template", "");
    show.set("details", details());
    ObjectNode modelInfo = show.putObject("model_info").put("general.architecture", "");
    // Clients read "<architecture>.context_length"; the architecture is unknown, so its prefix is empty.
    if (entry.path("max_model_len").isNumber()) modelInfo.put(".context_length", entry.get("max_model_len").asLong());
    show.putArray("capabilities").add("completion");
    return show.put("modified_at", modifiedAt(entry));
  }

  /** The list's entry for this model, its id compared by Ollama's rules ({@code llama3} is {@code LLAMA3:latest}). */
  static JsonNode find(JsonNode modelList, String model) {
    String wanted = ModelNames.canonical(model);
    for (JsonNode entry : modelList.path("data")) {
      if (ModelNames.canonical(entry.path("id").asText()).equals(wanted)) return entry;
    }
    throw ModelNotFound.error(ApiFormat.OLLAMA, model);
  }

  private static ObjectNode details() {
    ObjectNode details = Json.MAPPER.createObjectNode().put("parent_model", "").put("format", "").put("family", "");
    details.putArray("families");
    return details.put("parameter_size", "").put("quantization_level", "");
  }

  /** OpenAI's {@code created} (Unix seconds) as RFC 3339 in UTC; the epoch when absent. */
  private static String modifiedAt(JsonNode entry) {
    return Instant.ofEpochSecond(entry.path("created").asLong(0)).toString();
  }

  /** A stable stand-in for Ollama's manifest digest, which OpenAI servers do not have. */
  private static String sha256Hex(String id) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
