package io.ollamaflow.core.internal.translation;

import static io.ollamaflow.core.internal.translation.OpenAiClientFields.present;
import static io.ollamaflow.core.internal.translation.OpenAiClientFields.refused;
import static io.ollamaflow.core.internal.translation.OpenAiClientFields.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ollamaflow.api.TranslationContext;
import io.ollamaflow.core.internal.json.Json;
import java.util.HashSet;
import java.util.Set;

/**
 * OpenAI {@code /v1/completions}, {@code /v1/embeddings} and {@code /v1/models/<id>} requests as
 * Ollama requests (chat has its own class). The mapping is documented on {@link OpenAiToOllama}.
 */
final class OpenAiRequestsToOllama {
  /** Every completion field the translation reads; the others are left to {@link OpenAiUnusedFields}. */
  static final Set<String> COMPLETION_FIELDS = completionFields();
  /** Every embeddings field the translation reads. */
  static final Set<String> EMBEDDING_FIELDS = Set.of("model", "input", "dimensions", "encoding_format", "user");

  private OpenAiRequestsToOllama() {}

  static ObjectNode completion(TranslationContext context, ObjectNode client) {
    if (present(client.get("logprobs"))) {
      throw refused("logprobs", "is not supported on /v1/completions with an Ollama backend; use /v1/chat/completions");
    }
    ObjectNode backend = Json.MAPPER.createObjectNode();
    backend.put("model", context.model());
    String prompt = prompt(client.get("prompt"));
    if (prompt != null) backend.put("prompt", prompt);
    String suffix = text(client, "suffix", "suffix");
    if (suffix != null) backend.put("suffix", suffix);
    OpenAiOptionsToOllama.apply(client, backend);
    OpenAiFormatToOllama.apply(client, backend);
    backend.put("stream", context.stream());
    return backend;
  }

  /** One prompt: Ollama takes neither token arrays nor batches. Absent means "load the model", as on Ollama. */
  private static String prompt(JsonNode prompt) {
    if (!present(prompt)) return null;
    if (prompt.isTextual()) return prompt.textValue();
    if (prompt.isArray() && prompt.size() == 1 && prompt.get(0).isTextual()) return prompt.get(0).textValue();
    throw refused("prompt",
        "must be a string or an array of one string: an Ollama backend takes no token arrays or batches");
  }

  static ObjectNode embeddings(TranslationContext context, ObjectNode client) {
    encodesBase64(client);
    JsonNode input = client.get("input");
    if (!present(input)) throw refused("input", "is required");
    boolean strings = input.isTextual();
    if (input.isArray()) {
      strings = true;
      for (JsonNode item : input) strings &= item.isTextual();
    }
    if (!strings) {
      throw refused("input", "must be a string or an array of strings: an Ollama backend takes no token arrays");
    }
    ObjectNode backend = Json.MAPPER.createObjectNode();
    backend.put("model", context.model());
    backend.set("input", input);
    JsonNode dimensions = OpenAiClientFields.number(client, "dimensions");
    if (dimensions != null) backend.set("dimensions", dimensions);
    return backend;
  }

  /** Whether the client wants embeddings as base64 of little-endian float32 rather than numbers. */
  static boolean encodesBase64(ObjectNode client) {
    String format = client == null ? null : text(client, "encoding_format", "encoding_format");
    if (format == null || format.equals("float")) return false;
    if (format.equals("base64")) return true;
    throw refused("encoding_format", "must be float or base64");
  }

  static ObjectNode show(TranslationContext context) {
    return Json.MAPPER.createObjectNode().put("model", context.model());
  }

  private static Set<String> completionFields() {
    Set<String> fields = new HashSet<>(OpenAiOptionsToOllama.FIELDS);
    fields.addAll(OpenAiFormatToOllama.FIELDS);
    fields.addAll(Set.of("model", "prompt", "suffix", "stream", "stream_options", "logprobs", "user"));
    return Set.copyOf(fields);
  }
}
