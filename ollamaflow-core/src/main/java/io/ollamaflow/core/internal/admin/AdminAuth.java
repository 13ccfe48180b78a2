package io.ollamaflow.core.internal.admin;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Checks {@code Authorization: Bearer <token>} against the configured admin tokens. The scheme
 * must be spelt {@code Bearer} exactly, as OllamaFlow's server requires. Every configured token is
 * compared, each in constant time, so the time taken says nothing about which token came close.
 * A token is never taken from the query string: a URL ends up in access logs, proxies' logs and
 * browser history, so a call that carries a credential-named parameter is refused whatever its
 * header says, by the parameter's name only (its value is not compared, so the refusal says nothing
 * about whether it was a valid token).
 */
final class AdminAuth {
  private static final String SCHEME = "Bearer ";
  /** Query parameter names that clients and other servers use for credentials, lower case. */
  private static final Set<String> CREDENTIAL_PARAMETERS = Set.of("token", "access_token", "bearer", "bearer_token",
      "admin_token", "auth", "authorization", "key", "api_key", "apikey", "api-key");

  private final List<byte[]> tokens;

  AdminAuth(List<String> tokens) {
    this.tokens = tokens.stream().map(t -> t.getBytes(StandardCharsets.UTF_8)).toList();
  }

  /**
   * Null when the header carries an accepted token and the query carries no credential; otherwise
   * why not, without repeating either.
   *
   * @param rawQuery the query string without {@code ?}; null if none
   */
  String refusal(String authorization, String rawQuery) {
    String parameter = credentialParameter(rawQuery);
    if (parameter != null) {
      return "the admin token is never accepted in the query string (parameter '" + parameter
          + "'); send it in the header Authorization: Bearer <admin token>";
    }
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

  /** The first query parameter whose name is a credential's, as sent; null if none. */
  private static String credentialParameter(String rawQuery) {
    if (rawQuery == null || rawQuery.isEmpty()) return null;
    for (String pair : rawQuery.split("&")) {
      int eq = pair.indexOf('=');
      String name = eq < 0 ? pair : pair.substring(0, eq);
      if (CREDENTIAL_PARAMETERS.contains(name.toLowerCase(Locale.ROOT))) return name;
    }
    return null;
  }
}
