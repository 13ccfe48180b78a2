package io.ollamaflow.core.internal.translation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ollamaflow.core.internal.json.Json;

/**
 * Ollama's model listing ({@code /api/tags}) and model details ({@code /api/show}) as OpenAI model
 * objects. The mapping is documented on {@link OpenAiToOllama}.
 */
final class OllamaModelsToOpenAi {
  private OllamaModelsToOpenAi() {}

  /** Always a {@code data} array, even empty: Ollama's own layer sends null there, which some clients reject. */
  static ObjectNode list(ObjectNode tags) {
    ObjectNode answer = Json.MAPPER.createObjectNode().put("object", "list");
    ArrayNode data = answer.putArray("data");
    for (JsonNode model : tags.path("models")) {
      String id = model.path("model").asText(model.path("name").asText());
      data.add(model(id, model));
    }
    return answer;
  }

  static ObjectNode model(String id, JsonNode details) {
    return Json.MAPPER.createObjectNode()
        .put("id", id)
        .put("object", "model")
        .put("created", OllamaAnswersToOpenAi.epochSeconds(details.path("modified_at").textValue(), 0))
        .put("owned_by", owner(id));
  }

  /** The namespace of {@code [host/][namespace/]model[:tag]}; official models have none and belong to "library". */
  static String owner(String id) {
    String[] segments = id.split("/");
    return segments.length < 2 ? "library" : segments[segments.length - 2];
  }
}
