package io.ollamaflow.core.internal.admin;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;

/**
 * Checks {@code Authorization: Bearer <token>} against the configured admin tokens. The scheme
 * must be spelt {@code Bearer} exactly, as OllamaFlow's server requires. Every configured token is
 * compared, each in constant time, so the time taken says nothing about which token came close.
 */
final class AdminAuth {
  private static final String SCHEME = "Bearer ";

  private final List<byte[]> tokens;

  AdminAuth(List<String> tokens) {
    this.tokens = tokens.stream().map(t -> t.getBytes(StandardCharsets.UTF_8)).toList();
  }

  /** Null when the header carries an accepted token; otherwise why not, without repeating the header. */
  String refusal(String authorization) {
    if (authorization == null || authorization.isEmpty()) {
      return "no Authorization header (expected: Authorization: Bearer <admin token>)";
    }
    if (!authorization.startsWith(SCHEME)) {
      return "the Authorization header is not a bearer token (expected: Authorization: Bearer <admin token>)";
    }
    byte[] given = authorization.substring(SCHEME.length()).getBytes(StandardCharsets.UTF_8);
    boolean accepted = false;
    for (byte[] token : tokens) {
      // Non-short-circuit OR: every token is compared whatever the outcome.
      accepted |= MessageDigest.isEqual(given, token);
    }
    return accepted ? null : "the bearer token is not one of the AdminBearerTokens";
  }
}
