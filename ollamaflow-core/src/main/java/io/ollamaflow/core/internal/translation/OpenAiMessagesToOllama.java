package io.ollamaflow.core.internal.translation;

import static io.ollamaflow.core.internal.translation.OpenAiClientFields.present;
import static io.ollamaflow.core.internal.translation.OpenAiClientFields.refused;
import static io.ollamaflow.core.internal.translation.OpenAiClientFields.requiredText;
import static io.ollamaflow.core.internal.translation.OpenAiClientFields.text;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ollamaflow.core.internal.json.Json;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code messages} of an OpenAI chat request as Ollama chat messages. The mapping is
 * documented on {@link OpenAiToOllama}.
 */
final class OpenAiMessagesToOllama {
  /** The function names of the assistant's tool calls so far, by call id, to name tool results. */
  private final Map<String, String> toolNames = new HashMap<>();

  private OpenAiMessagesToOllama() {}

  static ArrayNode convert(JsonNode messages) {
    if (!present(messages) || !messages.isArray()) throw refused("messages", "must be an array");
    OpenAiMessagesToOllama converter = new OpenAiMessagesToOllama();
    ArrayNode converted = Json.MAPPER.createArrayNode();
    for (int i = 0; i < messages.size(); i++) {
      String at = "messages[" + i + "]";
      if (!messages.get(i).isObject()) throw refused(at, "must be an object");
      converted.add(converter.message(messages.get(i), at));
    }
    return converted;
  }

  private ObjectNode message(JsonNode message, String at) {
    ObjectNode converted = Json.MAPPER.createObjectNode();
    String role = role(message, at);
    converted.put("role", role);
    JsonNode calls = message.get("tool_calls");
    content(message.get("content"), at, converted, present(calls));
    String reasoning = text(message, "reasoning", at + ".reasoning");
    if (reasoning == null) reasoning = text(message, "reasoning_content", at + ".reasoning_content");
    if (reasoning != null) converted.put("thinking", reasoning);
    if (present(calls)) converted.set("tool_calls", toolCalls(calls, at + ".tool_calls"));
    if (role.equals("tool")) {
      String id = text(message, "tool_call_id", at + ".tool_call_id");
      String name = text(message, "name", at + ".name");
      if (name == null && id != null) name = toolNames.get(id);
      if (id != null) converted.put("tool_call_id", id);
      if (name != null) converted.put("tool_name", name);
    }
    return converted;
  }

  private static String role(JsonNode message, String at) {
    String role = requiredText(message, "role", at + ".role");
    switch (role) {
      case "system": case "user": case "assistant": case "tool": return role;
      case "developer": return "system";
      default: throw refused(at + ".role", "must be system, developer, user, assistant or tool");
    }
  }

  private static void content(JsonNode content, String at, ObjectNode converted, boolean hasToolCalls) {
    if (!present(content)) {
      if (!hasToolCalls) throw refused(at + ".content", "is required unless the message has tool_calls");
      converted.put("content", "");
    } else if (content.isTextual()) {
      converted.set("content", content);
    } else if (content.isArray()) {
      parts(content, at + ".content", converted);
    } else {
      throw refused(at + ".content", "must be a string or an array of content parts");
    }
  }

  /** Text parts joined with newlines; images (and audio, which Ollama takes the same way) as bare base64. */
  private static void parts(JsonNode parts, String at, ObjectNode converted) {
    List<String> texts = new ArrayList<>();
    ArrayNode images = Json.MAPPER.createArrayNode();
    for (int j = 0; j < parts.size(); j++) {
      String partAt = at + "[" + j + "]";
      JsonNode part = parts.get(j);
      String type = text(part, "type", partAt + ".type");
      if ("text".equals(type)) {
        texts.add(requiredText(part, "text", partAt + ".text"));
      } else if ("image_url".equals(type)) {
        JsonNode image = part.path("image_url");
        String url = image.isTextual() ? image.textValue() : requiredText(image, "url", partAt + ".image_url.url");
        images.add(dataUri(url, partAt + ".image_url"));
      } else if ("input_audio".equals(type)) {
        images.add(requiredText(part.path("input_audio"), "data", partAt + ".input_audio.data"));
      } else {
        throw refused(partAt + ".type", "must be text, image_url or input_audio");
      }
    }
    converted.put("content", String.join("\n", texts));
    if (!images.isEmpty()) converted.set("images", images);
  }

  /** The base64 data of a {@code data:} URI; the proxy fetches no URLs on a client's behalf. */
  private static String dataUri(String url, String field) {
    int comma = url.indexOf(',');
    if (url.startsWith("data:") && comma > 0 && url.substring(0, comma).endsWith(";base64")) {
      return url.substring(comma + 1);
    }
    if (url.startsWith("http://") || url.startsWith("https://")) {
      throw refused(field, "is a URL, which the proxy does not fetch: send the image as a data:<type>;base64, URI");
    }
    throw refused(field, "must be a data:<type>;base64, URI");
  }

  private ArrayNode toolCalls(JsonNode calls, String at) {
    if (!calls.isArray()) throw refused(at, "must be an array");
    ArrayNode converted = Json.MAPPER.createArrayNode();
    for (int j = 0; j < calls.size(); j++) {
      String callAt = at + "[" + j + "]";
      JsonNode call = calls.get(j);
      String type = text(call, "type", callAt + ".type");
      if (type != null && !type.equals("function")) throw refused(callAt + ".type", "must be function");
      JsonNode function = call.path("function");
      String name = requiredText(function, "name", callAt + ".function.name");
      String id = text(call, "id", callAt + ".id");
      ObjectNode convertedCall = converted.addObject();
      if (id != null) {
        convertedCall.put("id", id);
        toolNames.put(id, name);
      }
      convertedCall.putObject("function")
          .put("index", j)
          .put("name", name)
          .set("arguments", arguments(function.get("arguments"), callAt + ".function.arguments"));
    }
    return converted;
  }

  /** OpenAI sends arguments as a JSON string, Ollama wants the object itself. */
  private static JsonNode arguments(JsonNode arguments, String field) {
    if (!present(arguments) || (arguments.isTextual() && arguments.textValue().isBlank())) {
      return Json.MAPPER.createObjectNode();
    }
    if (arguments.isObject()) return arguments;
    if (arguments.isTextual()) {
      try {
        JsonNode parsed = Json.MAPPER.readTree(arguments.textValue());
        if (parsed != null && parsed.isObject()) return parsed;
      } catch (JsonProcessingException e) {
        throw refused(field, "is not valid JSON: " + Json.describe(e));
      }
    }
    throw refused(field, "must be a JSON object encoded as a string");
  }
}
