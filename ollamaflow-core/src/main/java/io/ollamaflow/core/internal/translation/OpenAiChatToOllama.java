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
 * An OpenAI {@code /v1/chat/completions} request as an Ollama {@code /api/chat} request. The
 * mapping is documented on {@link OpenAiToOllama}.
 */
final class OpenAiChatToOllama {
  /**
   * Fields that do not change the answer (storage, billing, scheduling, latency hints), and
   * {@code parallel_tool_calls}, which Ollama cannot enforce and models rarely need.
   */
  private static final Set<String> IGNORED = Set.of(
      "user", "store", "metadata", "service_tier", "parallel_tool_calls", "prediction",
      "prompt_cache_key", "safety_identifier");

  /** Every request field the translation reads; the others are left to {@link OpenAiUnusedFields}. */
  static final Set<String> FIELDS = fields();

  private OpenAiChatToOllama() {}

  static ObjectNode body(TranslationContext context, ObjectNode client) {
    ObjectNode backend = Json.MAPPER.createObjectNode();
    backend.put("model", context.model());
    backend.set("messages", OpenAiMessagesToOllama.convert(client.get("messages")));
    tools(client, backend);
    OpenAiFormatToOllama.apply(client, backend);
    think(client, backend);
    logprobs(client, backend);
    OpenAiOptionsToOllama.apply(client, backend);
    backend.put("stream", context.stream());
    return backend;
  }

  private static void tools(ObjectNode client, ObjectNode backend) {
    JsonNode choice = client.get("tool_choice");
    if (present(choice)) {
      if (choice.asText().equals("none")) return;
      if (!choice.isTextual() || !choice.textValue().equals("auto")) {
        throw refused("tool_choice", "must be auto or none: an Ollama model cannot be forced to call a tool");
      }
    }
    JsonNode tools = client.get("tools");
    if (!present(tools)) return;
    if (!tools.isArray()) throw refused("tools", "must be an array");
    if (!tools.isEmpty()) backend.set("tools", tools);
  }

  private static void think(ObjectNode client, ObjectNode backend) {
    String field = "reasoning_effort";
    String effort = text(client, field, field);
    if (effort == null) {
      field = "reasoning.effort";
      effort = text(client.path("reasoning"), "effort", field);
    }
    if (effort == null) {
      thinkFromChatTemplate(client.get("chat_template_kwargs"), backend);
      return;
    }
    switch (effort) {
      case "none": backend.put("think", false); break;
      case "minimal": backend.put("think", "low"); break;
      case "low": case "medium": case "high": backend.put("think", effort); break;
      case "xhigh": case "max": backend.put("think", "max"); break;
      default: throw refused(field, "must be none, minimal, low, medium, high or xhigh");
    }
  }

  /**
   * vLLM's {@code chat_template_kwargs}: {@code enable_thinking} is Ollama's {@code think}; other
   * template arguments change the prompt in ways Ollama's templates cannot, so they are refused.
   */
  private static void thinkFromChatTemplate(JsonNode kwargs, ObjectNode backend) {
    if (!present(kwargs)) return;
    if (!kwargs.isObject()) throw refused("chat_template_kwargs", "must be an object");
    for (String name : (Iterable<String>) kwargs::fieldNames) {
      JsonNode value = kwargs.get(name);
      if (name.equals("enable_thinking") && value.isBoolean()) {
        backend.put("think", value.booleanValue());
      } else if (present(value)) {
        throw refused("chat_template_kwargs." + name, "is not supported: an Ollama backend takes only enable_thinking (a boolean)");
      }
    }
  }

  private static void logprobs(ObjectNode client, ObjectNode backend) {
    JsonNode logprobs = client.get("logprobs");
    if (present(logprobs)) {
      if (!logprobs.isBoolean()) throw refused("logprobs", "must be a boolean");
      backend.set("logprobs", logprobs);
    }
    JsonNode top = OpenAiClientFields.number(client, "top_logprobs");
    if (top != null) backend.set("top_logprobs", top);
  }

  private static Set<String> fields() {
    Set<String> fields = new HashSet<>(IGNORED);
    fields.addAll(OpenAiOptionsToOllama.FIELDS);
    fields.addAll(OpenAiFormatToOllama.FIELDS);
    fields.addAll(Set.of("model", "messages", "stream", "stream_options", "tools", "tool_choice",
        "reasoning_effort", "reasoning", "chat_template_kwargs", "logprobs", "top_logprobs"));
    return Set.copyOf(fields);
  }
}
