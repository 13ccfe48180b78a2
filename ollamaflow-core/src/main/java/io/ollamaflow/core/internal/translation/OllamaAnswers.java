package io.ollamaflow.core.internal.translation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ollamaflow.api.ErrorCode;
import io.ollamaflow.api.FlowException;
import io.ollamaflow.api.RequestKind;
import io.ollamaflow.api.TranslationContext;
import io.ollamaflow.core.internal.json.Json;
import java.time.Instant;

/**
 * Ollama's chat and generate answers, built from pieces of OpenAI answers: one shape for stream
 * lines and whole answers, since a non-streamed Ollama answer is its stream folded into one line.
 */
final class OllamaAnswers {
  private final String model;
  private final boolean chat;
  /** Kept to read the elapsed time when the last line is made, not when the stream began. */
  private final TranslationContext context;

  OllamaAnswers(TranslationContext context) {
    this.model = context.model();
    this.chat = context.kind() == RequestKind.CHAT;
    this.context = context;
  }

  /**
   * A not-yet-done line carrying text. Content (chat) or response (generate) is always present,
   * as clients append it unconditionally; thinking only when there is some.
   */
  ObjectNode line(String content, String thinking) {
    ObjectNode line = Json.MAPPER.createObjectNode().put("model", model).put("created_at", Instant.now().toString());
    ObjectNode text = chat ? line.putObject("message").put("role", "assistant") : line;
    text.put(chat ? "content" : "response", content);
    if (!thinking.isEmpty()) text.put("thinking", thinking);
    return line.put("done", false);
  }

  /** A chat line carrying whole tool calls, in Ollama's shape (arguments as an object). */
  ObjectNode toolCallLine(ArrayNode toolCalls) {
    ObjectNode line = line("", "");
    ((ObjectNode) line.get("message")).set("tool_calls", toolCalls);
    return line;
  }

  /** Makes {@code line} the last: done, with Ollama's done_reason and the metrics OpenAI's usage gives. */
  ObjectNode finish(ObjectNode line, String finishReason, JsonNode usage) {
    // Ollama knows only stop and length: tool calls and filtered content end as stop.
    line.put("done", true).put("done_reason", "length".equals(finishReason) ? "length" : "stop");
    line.put("total_duration", context.elapsedNanos());
    copyCount(usage, "prompt_tokens", line, "prompt_eval_count");
    copyCount(usage, "completion_tokens", line, "eval_count");
    return line;
  }

  /** The answer to a request that only loads (or with keep_alive 0, unloads) the model. */
  ObjectNode loadReply(String doneReason) {
    return line("", "").put("done", true).put("done_reason", doneReason);
  }

  /** Adds the per-token log probabilities of an OpenAI choice, whose entries already have Ollama's shape. */
  static ObjectNode withLogprobs(ObjectNode line, JsonNode choice) {
    JsonNode tokens = choice.path("logprobs").path("content");
    if (tokens.isArray() && !tokens.isEmpty()) line.set("logprobs", tokens);
    return line;
  }

  /** OpenAI's reasoning text: vLLM's {@code reasoning}, or {@code reasoning_content} of older vLLM and llama.cpp. */
  static String reasoning(JsonNode message) {
    String reasoning = message.path("reasoning").asText("");
    return reasoning.isEmpty() ? message.path("reasoning_content").asText("") : reasoning;
  }

  /** Text of a chat message or delta ({@code content}) or of a completion choice ({@code text}). */
  static String content(JsonNode choice, JsonNode message) {
    JsonNode content = message.get("content");
    if (content != null && content.isTextual()) return content.textValue();
    return choice.path("text").asText("");
  }

  /** One tool call as Ollama sends it: {@code {"id","function":{"index","name","arguments":{...}}}}. */
  static ObjectNode toolCall(String id, int index, String name, String argumentsJson) {
    ObjectNode call = Json.MAPPER.createObjectNode().put("id", id.isEmpty() ? OllamaMessagesToOpenAi.newCallId() : id);
    call.putObject("function").put("index", index).put("name", name).set("arguments", arguments(argumentsJson));
    return call;
  }

  private static JsonNode arguments(String json) {
    if (json.isBlank()) return Json.MAPPER.createObjectNode();
    try {
      JsonNode arguments = Json.MAPPER.readTree(json);
      if (arguments.isObject()) return arguments;
    } catch (JsonProcessingException e) {
      // reported below
    }
    throw new FlowException(ErrorCode.BACKEND_ERROR, "the backend sent tool-call arguments that are not a JSON object");
  }

  private static void copyCount(JsonNode usage, String from, ObjectNode line, String to) {
    JsonNode count = usage == null ? null : usage.get(from);
    if (count != null && count.isNumber()) line.put(to, count.asLong());
  }
}
