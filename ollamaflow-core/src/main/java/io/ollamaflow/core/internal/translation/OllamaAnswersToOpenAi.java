package io.ollamaflow.core.internal.translation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ollamaflow.api.TranslationContext;
import io.ollamaflow.core.internal.json.Json;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ollama answers as OpenAI answers, and the pieces that streamed chunks share with them (ids,
 * timestamps, finish reasons, usage, tool calls). The mapping is documented on
 * {@link OpenAiToOllama}.
 */
final class OllamaAnswersToOpenAi {
  /** What Ollama's own OpenAI layer reports; honest about the backend, and accepted by every client. */
  static final String FINGERPRINT = "fp_ollama";

  private static final char[] ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

  private OllamaAnswersToOpenAi() {}

  static ObjectNode chat(TranslationContext context, ObjectNode backend) {
    JsonNode message = backend.path("message");
    ArrayNode calls = toolCalls(message.get("tool_calls"), -1);
    ObjectNode answer = envelope(randomId("chatcmpl-"), "chat.completion", createdAt(backend), context.model());
    ObjectNode choice = answer.putArray("choices").addObject().put("index", 0);
    ObjectNode converted = choice.putObject("message").put("role", "assistant");
    String content = message.path("content").asText();
    // OpenAI answers a pure tool call with null content; clients test it to tell the two apart.
    if (calls != null && content.isEmpty()) converted.putNull("content");
    else converted.put("content", content);
    String thinking = message.path("thinking").asText();
    if (!thinking.isEmpty()) converted.put("reasoning", thinking);
    if (calls != null) converted.set("tool_calls", calls);
    choice.set("logprobs", logprobs(backend));
    choice.put("finish_reason", finishReason(backend, calls != null));
    answer.set("usage", usage(backend));
    return answer;
  }

  static ObjectNode completion(TranslationContext context, ObjectNode backend) {
    ObjectNode answer = envelope(randomId("cmpl-"), "text_completion", createdAt(backend), context.model());
    answer.putArray("choices").add(textChoice(backend.path("response").asText(), finishReason(backend, false)));
    answer.set("usage", usage(backend));
    return answer;
  }

  static ObjectNode embeddings(TranslationContext context, ObjectNode backend) {
    boolean base64 = OpenAiRequestsToOllama.encodesBase64(context.clientRequest());
    ObjectNode answer = Json.MAPPER.createObjectNode().put("object", "list");
    ArrayNode data = answer.putArray("data");
    JsonNode embeddings = backend.path("embeddings");
    for (int i = 0; i < embeddings.size(); i++) {
      ObjectNode item = data.addObject().put("object", "embedding").put("index", i);
      if (base64) item.put("embedding", base64(embeddings.get(i)));
      else item.set("embedding", embeddings.get(i));
    }
    answer.put("model", context.model());
    long tokens = backend.path("prompt_eval_count").asLong(0);
    answer.putObject("usage").put("prompt_tokens", tokens).put("total_tokens", tokens);
    return answer;
  }

  /** The vector as OpenAI's {@code encoding_format: base64} sends it: little-endian float32. */
  static String base64(JsonNode vector) {
    ByteBuffer bytes = ByteBuffer.allocate(vector.size() * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    for (JsonNode value : vector) bytes.putFloat(value.floatValue());
    return Base64.getEncoder().encodeToString(bytes.array());
  }

  static ObjectNode envelope(String id, String object, long created, String model) {
    return Json.MAPPER.createObjectNode()
        .put("id", id)
        .put("object", object)
        .put("created", created)
        .put("model", model)
        .put("system_fingerprint", FINGERPRINT);
  }

  static ObjectNode textChoice(String text, String finishReason) {
    ObjectNode choice = Json.MAPPER.createObjectNode().put("text", text).put("index", 0).putNull("logprobs");
    return choice.put("finish_reason", finishReason);
  }

  /** Ollama's {@code created_at} in epoch seconds; now when it is missing or unreadable. */
  static long createdAt(JsonNode backend) {
    return epochSeconds(backend.path("created_at").textValue(), Instant.now().getEpochSecond());
  }

  static long epochSeconds(String timestamp, long otherwise) {
    if (timestamp == null) return otherwise;
    try {
      return OffsetDateTime.parse(timestamp).toEpochSecond();
    } catch (DateTimeParseException e) {
      return otherwise;
    }
  }

  /**
   * Ollama's {@code done_reason} as an OpenAI {@code finish_reason}: {@code length} stays, anything
   * else ({@code stop}, {@code load}, none) ends normally, which is {@code tool_calls} after a call.
   */
  static String finishReason(JsonNode backend, boolean toolCalls) {
    if (backend.path("done_reason").asText().equals("length")) return "length";
    return toolCalls ? "tool_calls" : "stop";
  }

  static ObjectNode usage(JsonNode backend) {
    long prompt = backend.path("prompt_eval_count").asLong(0);
    long completion = backend.path("eval_count").asLong(0);
    return Json.MAPPER.createObjectNode()
        .put("prompt_tokens", prompt)
        .put("completion_tokens", completion)
        .put("total_tokens", prompt + completion);
  }

  /** OpenAI's {@code logprobs} of a choice: Ollama's entries already have OpenAI's shape. */
  static JsonNode logprobs(JsonNode backend) {
    JsonNode logprobs = backend.get("logprobs");
    if (logprobs == null || !logprobs.isArray()) return NullNode.getInstance();
    ObjectNode wrapped = Json.MAPPER.createObjectNode();
    wrapped.set("content", logprobs);
    return wrapped;
  }

  /**
   * Ollama's whole tool calls in OpenAI's shape, arguments as a JSON string; null when there are
   * none.
   *
   * @param firstIndex the stream index of the first call, or -1 for a complete answer (no index)
   */
  static ArrayNode toolCalls(JsonNode calls, int firstIndex) {
    if (calls == null || !calls.isArray() || calls.isEmpty()) return null;
    ArrayNode converted = Json.MAPPER.createArrayNode();
    for (JsonNode call : calls) {
      ObjectNode convertedCall = converted.addObject();
      if (firstIndex >= 0) convertedCall.put("index", firstIndex + converted.size() - 1);
      String id = call.path("id").asText();
      convertedCall.put("id", id.isEmpty() ? randomId("call_") : id).put("type", "function");
      JsonNode function = call.path("function");
      convertedCall.putObject("function")
          .put("name", function.path("name").asText())
          .put("arguments", argumentsText(function.get("arguments")));
    }
    return converted;
  }

  /** Tool-call arguments as OpenAI carries them: a JSON string. */
  static String argumentsText(JsonNode arguments) {
    if (arguments == null || arguments.isNull()) return "{}";
    if (arguments.isTextual()) return arguments.textValue();
    return arguments.toString(); // Jackson's toString is compact, valid JSON
  }

  /** A practically unique id: 24 random base-36 characters after the prefix. */
  static String randomId(String prefix) {
    return randomId(prefix, 24);
  }

  static String randomId(String prefix, int length) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    StringBuilder id = new StringBuilder(prefix.length() + length).append(prefix);
    for (int i = 0; i < length; i++) id.append(ID_ALPHABET[random.nextInt(ID_ALPHABET.length)]);
    return id.toString();
  }
}
