package io.ollamaflow.core.internal.translation;

import io.ollamaflow.api.ErrorCode;
import io.ollamaflow.api.FlowException;
import java.util.Base64;

/** Ollama's bare base64 images as the {@code data:} URLs OpenAI's image parts carry. */
final class ImageDataUrls {
  /** 16 base64 characters decode to the 12 bytes the longest signature (WEBP) needs. */
  private static final int HEAD_CHARS = 16;

  private ImageDataUrls() {}

  /**
   * @param field where the image is in the client's request, for the refusal of a non-base64 string
   */
  static String of(String base64, String field) {
    return "data:" + mimeType(base64, field) + ";base64," + base64;
  }

  /** The type its first bytes announce: PNG, JPEG, WEBP or GIF; JPEG when none matches, as most photos are. */
  static String mimeType(String base64, String field) {
    byte[] head;
    try {
      head = Base64.getDecoder().decode(base64.substring(0, Math.min(base64.length(), HEAD_CHARS) & ~3));
    } catch (IllegalArgumentException e) {
      throw new FlowException(ErrorCode.BAD_REQUEST, field + " must be bare base64 (no data: prefix)");
    }
    if (startsWith(head, 0, 0x89, 'P', 'N', 'G')) return "image/png";
    if (startsWith(head, 0, 0xFF, 0xD8, 0xFF)) return "image/jpeg";
    if (startsWith(head, 0, 'R', 'I', 'F', 'F') && startsWith(head, 8, 'W', 'E', 'B', 'P')) return "image/webp";
    if (startsWith(head, 0, 'G', 'I', 'F', '8')) return "image/gif";
    return "image/jpeg";
  }

  private static boolean startsWith(byte[] bytes, int offset, int... signature) {
    if (bytes.length < offset + signature.length) return false;
    for (int i = 0; i < signature.length; i++) {
      if ((bytes[offset + i] & 0xFF) != signature[i]) return false;
    }
    return true;
  }
}
