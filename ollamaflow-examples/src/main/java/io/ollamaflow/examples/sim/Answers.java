package io.ollamaflow.examples.sim;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** Deterministic fake model output: answer tokens, token counts and embedding vectors. */
final class Answers {
  static final int EMBEDDING_DIMENSIONS = 8;
  private static final String[] FILLER = {"This", "is", "a", "simulated", "answer."};

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

  /** Whitespace-separated words, at least one, as a stand-in for a tokenizer. */
  static int countTokens(String text) {
    String trimmed = text.strip();
    return trimmed.isEmpty() ? 1 : trimmed.split("\\s+").length;
  }

  /** Tokens in chat messages whose content is a string or an array of {"text": ...} parts. */
  static int countMessageTokens(JsonNode messages) {
    StringBuilder text = new StringBuilder();
    for (JsonNode message : messages) {
      JsonNode content = message.path("content");
      if (content.isArray()) {
        content.forEach(part -> text.append(' ').append(part.path("text").asText("")));
      } else {
        text.append(' ').append(content.asText(""));
      }
    }
    return countTokens(text.toString());
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
