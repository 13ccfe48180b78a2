package io.ollamaflow.core.internal.admin;

import java.security.SecureRandom;
import java.util.Base64;

/**
 * Issues API key secrets: {@value #PREFIX} and 32 random bytes from {@link SecureRandom} (256
 * bits) in unpadded base64url, 47 characters that survive headers, URLs and shells unquoted. The
 * prefix makes a leaked key recognisable to people and to secret scanners.
 */
public final class ApiKeySecrets {
  public static final String PREFIX = "ofk_";
  private static final int RANDOM_BYTES = 32;
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

  private ApiKeySecrets() {}

  public static String issue() {
    byte[] bytes = new byte[RANDOM_BYTES];
    RANDOM.nextBytes(bytes);
    return PREFIX + ENCODER.encodeToString(bytes);
  }
}
