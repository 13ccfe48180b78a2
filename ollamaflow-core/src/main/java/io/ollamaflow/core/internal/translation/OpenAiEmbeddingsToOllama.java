package io.ollamaflow.core.internal.translation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ollamaflow.core.internal.json.Json;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * OpenAI's embeddings answer as Ollama's: {@code /api/embed} gets unit-length vectors in input
 * order with only the fields Ollama sends (ollama4j's DTO is strict); the legacy
 * {@code /api/embeddings} gets the first vector as it came.
 */
final class OpenAiEmbeddingsToOllama {
  private OpenAiEmbeddingsToOllama() {}

  static ObjectNode embed(JsonNode backendBody, String model, long elapsedNanos) {
    ObjectNode answer = Json.MAPPER.createObjectNode().put("model", model);
    ArrayNode embeddings = answer.putArray("embeddings");
    for (JsonNode item : inInputOrder(backendBody)) embeddings.add(normalised(item.path("embedding")));
    answer.put("total_duration", elapsedNanos);
    JsonNode promptTokens = backendBody.path("usage").path("prompt_tokens");
    if (promptTokens.isNumber()) answer.put("prompt_eval_count", promptTokens.asLong());
    return answer;
  }

  static ObjectNode legacy(JsonNode backendBody) {
    List<JsonNode> items = inInputOrder(backendBody);
    ObjectNode answer = Json.MAPPER.createObjectNode();
    if (items.isEmpty()) answer.putArray("embedding");
    else answer.set("embedding", items.get(0).path("embedding"));
    return answer;
  }

  /** Ollama's vectors have length 1 whatever the backend's pooler does; the zero vector stays as is. */
  static ArrayNode normalised(JsonNode vector) {
    double sumOfSquares = 0;
    for (JsonNode value : vector) sumOfSquares += value.asDouble() * value.asDouble();
    double norm = sumOfSquares == 0 ? 1 : Math.sqrt(sumOfSquares);
    ArrayNode unit = Json.MAPPER.createArrayNode();
    for (JsonNode value : vector) unit.add(value.asDouble() / norm);
    return unit;
  }

  private static List<JsonNode> inInputOrder(JsonNode backendBody) {
    List<JsonNode> items = new ArrayList<>();
    backendBody.path("data").forEach(items::add);
    items.sort(Comparator.comparingInt(item -> item.path("index").asInt()));
    return items;
  }
}
