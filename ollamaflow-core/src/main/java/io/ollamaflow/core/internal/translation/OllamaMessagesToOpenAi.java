package io.ollamaflow.core.internal.translation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.ollamaflow.api.ErrorCode;
import io.ollamaflow.api.FlowException;
import io.ollamaflow.core.internal.json.Json;
import java.util.ArrayList;
import java.util.List;

/**
 * An Ollama conversation as OpenAI chat messages: images become content parts, tool-call arguments
 * become JSON strings, and each tool result names the call it answers. One instance per request.
 */
final class OllamaMessagesToOpenAi {

  private final ArrayNode messages = Json.MAPPER.createArrayNode();
  /** Tool calls of earlier assistant messages whose result has not been seen yet, oldest first. */
  private final List<PendingCall> unanswered = new ArrayList<>();

  private OllamaMessagesToOpenAi() {}

  static ArrayNode translate(JsonNode clientMessages) {
    if (!clientMessages.isArray()) throw new FlowException(ErrorCode.BAD_REQUEST, "messages must be an array");
    OllamaMessagesToOpenAi translation = new OllamaMessagesToOpenAi();
    for (int i = 0; i < clientMessages.size(); i++) translation.add(clientMessages.get(i), "messages[" + i + "]");
    return translation.messages;
  }

  /** OpenAI content for Ollama's text and images: the plain string, or text and image parts. */
  static JsonNode content(String text, JsonNode images, String imagesField) {
    if (images == null || !images.isArray() || images.isEmpty()) return TextNode.valueOf(text);
    ArrayNode parts = Json.MAPPER.createArrayNode();
    if (!text.isEmpty()) parts.addObject().put("type", "text").put("text", text);
    for (int i = 0; i < images.size(); i++) {
      String url = ImageDataUrls.of(images.get(i).asText(), imagesField + "[" + i + "]");
      parts.addObject().put("type", "image_url").putObject("image_url").put("url", url);
    }
    return parts;
  }

  private void add(JsonNode message, String field) {
    String role = text(message.get("role"));
    if (role.isEmpty()) throw new FlowException(ErrorCode.BAD_REQUEST, field + ".role is required");
    // Ollama's assistant `thinking` has no place in OpenAI history: vLLM's templates drop past reasoning anyway.
    ObjectNode translated = messages.addObject().put("role", role);
    translated.set("content", content(text(message.get("content")), message.get("images"), field + ".images"));
    JsonNode toolCalls = message.get("tool_calls");
    if (toolCalls != null && toolCalls.isArray() && !toolCalls.isEmpty()) {
      translated.set("tool_calls", toolCalls(toolCalls));
    }
    if (role.equals("tool")) translated.put("tool_call_id", answeredCall(message, field));
  }

  private ArrayNode toolCalls(JsonNode clientCalls) {
    ArrayNode calls = Json.MAPPER.createArrayNode();
    for (JsonNode clientCall : clientCalls) {
      String id = text(clientCall.get("id"));
      if (id.isEmpty()) id = newCallId();
      String name = text(clientCall.path("function").get("name"));
      ObjectNode call = calls.addObject().put("id", id).put("type", "function");
      call.putObject("function").put("name", name).put("arguments", OllamaAnswersToOpenAi.argumentsText(clientCall.path("function").get("arguments")));
      unanswered.add(new PendingCall(name, id));
    }
    return calls;
  }

  /** The client's tool_call_id; else the oldest unanswered call of that tool_name; else the oldest unanswered call. */
  private String answeredCall(JsonNode message, String field) {
    String id = text(message.get("tool_call_id"));
    if (!id.isEmpty()) {
      unanswered.removeIf(call -> call.id().equals(id));
      return id;
    }
    String name = text(message.get("tool_name"));
    PendingCall answered = unanswered.stream().filter(call -> call.name().equals(name)).findFirst()
        .orElse(unanswered.isEmpty() ? null : unanswered.get(0));
    if (answered == null) {
      throw new FlowException(ErrorCode.BAD_REQUEST,
          field + " is a tool result without an earlier tool call; OpenAI-format backends need the call's id");
    }
    unanswered.remove(answered);
    return answered.id();
  }

  /** An id in Ollama's style ({@code call_} and 8 characters) for a tool call that came without one. */
  static String newCallId() {
    return OllamaAnswersToOpenAi.randomId("call_", 8);
  }

  private static String text(JsonNode node) {
    return node != null && node.isTextual() ? node.textValue() : "";
  }

  private record PendingCall(String name, String id) {}
}
