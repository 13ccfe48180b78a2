package io.ollamaflow.examples.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/** Deterministic fake model output: answer tokens, tool calls, token counts and embedding vectors. */
final class Answers {
  static final int EMBEDDING_DIMENSIONS = 8;
  /** What a user message must mention for the model to call a tool. */
  static final String TOOL_TRIGGER = "weather";
  /** The value of every string argument of a tool call. */
  static final String TOOL_ARGUMENT = "Paris";
  private static final String[] FILLER = {"This", "is", "a", "simulated", "answer."};

  /** A call of a function tool; the arguments are a JSON object. */
  record ToolCall(String name, ObjectNode arguments) {}

  private Answers() {}

  /**
   * The tokens of an answer. The server id is the third word so that a test can tell which
   * backend answered; later tokens start with a space, as real tokenizers produce them.
   */
  static List<String> tokens(String serverId, int count) {
    List<String> tokens = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      String word = switch (i) {
        case 0 -> "Hello";
        case 1 -> "from";
        case 2 -> serverId + ".";
        default -> FILLER[(i - 3) % FILLER.length];
      };
      tokens.add(i == 0 ? word : " " + word);
    }
    return tokens;
  }

  /**
   * The call the model makes instead of answering: the first tool offered, when the last message
   * is the user's and mentions {@link #TOOL_TRIGGER}. So a tool result sent back is answered with
   * text. Each argument the tool's schema declares gets a fixed value of its type.
   */
  static Optional<ToolCall> toolCall(JsonNode request) {
    JsonNode tool = request.path("tools").path(0).path("function");
    JsonNode messages = request.path("messages");
    JsonNode last = messages.path(messages.size() - 1);
    if (tool.path("name").asText("").isEmpty() || !last.path("role").asText().equals("user")
        || !text(last.path("content")).toLowerCase(Locale.ROOT).contains(TOOL_TRIGGER)) {
      return Optional.empty();
    }
    ObjectNode arguments = SimExchange.JSON.createObjectNode();
    for (Map.Entry<String, JsonNode> property : tool.path("parameters").path("properties").properties()) {
      switch (property.getValue().path("type").asText()) {
        case "integer", "number" -> arguments.put(property.getKey(), 1);
        case "boolean" -> arguments.put(property.getKey(), true);
        default -> arguments.put(property.getKey(), TOOL_ARGUMENT);
      }
    }
    return Optional.of(new ToolCall(tool.path("name").asText(), arguments));
  }

  /** Whitespace-separated words, at least one, as a stand-in for a tokenizer. */
  static int countTokens(String text) {
    String trimmed = text.strip();
    return trimmed.isEmpty() ? 1 : trimmed.split("\\s+").length;
  }

  /** Tokens in chat messages whose content is a string or an array of {"text": ...} parts. */
  static int countMessageTokens(JsonNode messages) {
    StringBuilder text = new StringBuilder();
    messages.forEach(message -> text.append(' ').append(text(message.path("content"))));
    return countTokens(text.toString());
  }

  /** A message content: a string, or the texts of an array of {"text": ...} parts. */
  private static String text(JsonNode content) {
    if (!content.isArray()) {
      return content.asText("");
    }
    StringBuilder text = new StringBuilder();
    content.forEach(part -> text.append(' ').append(part.path("text").asText("")));
    return text.toString();
  }

  /** An L2-normalised vector derived from the text's SHA-256, so equal texts embed equally. */
  static float[] embedding(String text) {
    byte[] hash = sha256(text.getBytes(StandardCharsets.UTF_8));
    float[] vector = new float[EMBEDDING_DIMENSIONS];
    double norm = 0;
    for (int i = 0; i < vector.length; i++) {
      int bits = ((hash[2 * i] & 0xff) << 8) | (hash[2 * i + 1] & 0xff);
      vector[i] = bits / 65535f * 2 - 1;
      norm += vector[i] * vector[i];
    }
    float scale = (float) (1 / Math.sqrt(norm));
    for (int i = 0; i < vector.length; i++) {
      vector[i] *= scale;
    }
    return vector;
  }

  /** Random lower-case hex for ids, which real servers make unique; answers stay deterministic. */
  static String randomHex(int digits) {
    StringBuilder hex = new StringBuilder(digits);
    ThreadLocalRandom random = ThreadLocalRandom.current();
    for (int i = 0; i < digits; i++) {
      hex.append(Character.forDigit(random.nextInt(16), 16));
    }
    return hex.toString();
  }

  static String sha256Hex(String text) {
    return HexFormat.of().formatHex(sha256(text.getBytes(StandardCharsets.UTF_8)));
  }

  static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  private static byte[] sha256(byte[] bytes) {
    return newSha256().digest(bytes);
  }
}
