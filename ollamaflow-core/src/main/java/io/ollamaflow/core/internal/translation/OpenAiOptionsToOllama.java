package io.ollamaflow.core.internal.translation;

import static io.ollamaflow.core.internal.translation.OpenAiClientFields.number;
import static io.ollamaflow.core.internal.translation.OpenAiClientFields.present;
import static io.ollamaflow.core.internal.translation.OpenAiClientFields.refused;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ollamaflow.core.internal.json.Json;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The sampling fields of an OpenAI chat or text completion request as Ollama {@code options}. Only
 * what the client sent is set, so an absent field keeps the model's Modelfile default. The
 * mapping is documented on {@link OpenAiToOllama}.
 */
final class OpenAiOptionsToOllama {
  /** OpenAI fields, and the vLLM extras some clients send, with the Ollama option of the same meaning. */
  private static final Map<String, String> SAME_MEANING = Map.of(
      "temperature", "temperature",
      "top_p", "top_p",
      "seed", "seed",
      "frequency_penalty", "frequency_penalty",
      "presence_penalty", "presence_penalty",
      "top_k", "top_k",
      "min_p", "min_p",
      "repetition_penalty", "repeat_penalty");

  /** Every request field this class reads. */
  static final Set<String> FIELDS = fields();

  private OpenAiOptionsToOllama() {}

  static void apply(ObjectNode client, ObjectNode backend) {
    if (present(client.get("n")) && number(client, "n").asInt() != 1) {
      throw refused("n", "must be 1: an Ollama backend answers with one choice");
    }
    JsonNode logitBias = client.get("logit_bias");
    if (present(logitBias) && !(logitBias.isObject() && logitBias.isEmpty())) {
      throw refused("logit_bias", "is not supported: Ollama has no token biases");
    }
    ObjectNode options = Json.MAPPER.createObjectNode();
    String maxField = present(client.get("max_completion_tokens")) ? "max_completion_tokens" : "max_tokens";
    JsonNode max = number(client, maxField);
    if (max != null) options.set("num_predict", max);
    SAME_MEANING.forEach((field, option) -> {
      JsonNode value = number(client, field);
      if (value != null) options.set(option, value);
    });
    JsonNode stop = stop(client.get("stop"));
    if (stop != null) options.set("stop", stop);
    if (!options.isEmpty()) backend.set("options", options);
  }

  private static JsonNode stop(JsonNode stop) {
    if (!present(stop)) return null;
    ArrayNode list = Json.MAPPER.createArrayNode();
    if (stop.isTextual()) return list.add(stop);
    if (!stop.isArray()) throw refused("stop", "must be a string or an array of strings");
    for (JsonNode sequence : stop) {
      if (!sequence.isTextual()) throw refused("stop", "must be a string or an array of strings");
      list.add(sequence);
    }
    return list;
  }

  private static Set<String> fields() {
    Set<String> fields = new HashSet<>(SAME_MEANING.keySet());
    fields.addAll(Set.of("n", "logit_bias", "max_completion_tokens", "max_tokens", "stop"));
    return Set.copyOf(fields);
  }
}
