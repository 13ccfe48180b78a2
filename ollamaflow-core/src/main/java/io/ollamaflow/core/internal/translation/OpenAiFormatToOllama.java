package io.ollamaflow.core.internal.translation;

import static io.ollamaflow.core.internal.translation.OpenAiClientFields.present;
import static io.ollamaflow.core.internal.translation.OpenAiClientFields.refused;
import static io.ollamaflow.core.internal.translation.OpenAiClientFields.text;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ollamaflow.core.internal.json.Json;
import java.util.Set;

/**
 * The output format an OpenAI client asks for, as Ollama's {@code format}: OpenAI's
 * {@code response_format} ({@code json_object} → {@code "json"}, {@code json_schema} → the
 * schema, {@code text} → nothing) or vLLM's {@code guided_json} (a schema, as an object or as
 * JSON text) → the schema. The mapping is documented on {@link OpenAiToOllama}.
 */
final class OpenAiFormatToOllama {
  /** Every request field this class reads. */
  static final Set<String> FIELDS = Set.of("response_format", "guided_json");

  private OpenAiFormatToOllama() {}

  static void apply(ObjectNode client, ObjectNode backend) {
    JsonNode format = responseFormat(client.get("response_format"));
    JsonNode schema = guidedJson(client.get("guided_json"));
    if (format != null && schema != null) {
      throw refused("guided_json", "and response_format both ask for an output format (expected: one of them)");
    }
    if (format != null) backend.set("format", format);
    if (schema != null) backend.set("format", schema);
  }

  private static JsonNode responseFormat(JsonNode responseFormat) {
    if (!present(responseFormat)) return null;
    String type = text(responseFormat, "type", "response_format.type");
    if ("json_object".equals(type)) return Json.MAPPER.getNodeFactory().textNode("json");
    if ("json_schema".equals(type)) {
      JsonNode schema = responseFormat.path("json_schema").get("schema");
      if (!present(schema) || !schema.isObject()) throw refused("response_format.json_schema.schema", "must be an object");
      return schema;
    }
    if (!"text".equals(type)) throw refused("response_format.type", "must be text, json_object or json_schema");
    return null;
  }

  private static JsonNode guidedJson(JsonNode guided) {
    if (!present(guided)) return null;
    JsonNode schema = guided;
    if (guided.isTextual()) {
      try {
        schema = Json.MAPPER.readTree(guided.textValue());
      } catch (JsonProcessingException e) {
        throw refused("guided_json", "must be a JSON schema, as an object or as JSON text: " + Json.describe(e));
      }
    }
    if (schema == null || !schema.isObject()) throw refused("guided_json", "must be a JSON schema object");
    return schema;
  }
}
