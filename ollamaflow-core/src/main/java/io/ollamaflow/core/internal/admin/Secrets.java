package io.ollamaflow.core.internal.admin;

import io.ollamaflow.api.Backend;
import io.ollamaflow.api.ErrorCode;
import io.ollamaflow.api.FlowException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Which parts of a backend are secret, how they are shown, and how a shown (redacted) object sent
 * back whole keeps the secrets it stood for.
 *
 * <p>Secret: the {@code BearerToken}, and the value of every header whose name contains
 * {@code authorization}, {@code token}, {@code key}, {@code secret}, {@code password} or
 * {@code cookie}, ignoring case. Both are shown as {@value #PLACEHOLDER} when set. OllamaFlow's web
 * UI and SDK read an object and write it back whole, so an update carrying the placeholder keeps
 * the stored value instead of storing the placeholder.
 */
public final class Secrets {
  /** What a secret is shown as. */
  public static final String PLACEHOLDER = "********";
  private static final List<String> CREDENTIAL_WORDS =
      List.of("authorization", "token", "key", "secret", "password", "cookie");

  private Secrets() {}

  /** True when a header of this name carries a credential, so its value is never shown. */
  public static boolean isCredentialHeader(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    for (String word : CREDENTIAL_WORDS) {
      if (lower.contains(word)) return true;
    }
    return false;
  }

  /** The backend with its secrets replaced by {@value #PLACEHOLDER}; fit to show to anyone. */
  public static Backend redacted(Backend backend) {
    boolean hasSecretHeader = backend.headers().keySet().stream().anyMatch(Secrets::isCredentialHeader);
    if (backend.bearerToken() == null && !hasSecretHeader) return backend;
    Map<String, String> headers = new LinkedHashMap<>();
    backend.headers().forEach((name, value) -> headers.put(name, isCredentialHeader(name) ? PLACEHOLDER : value));
    return backend.toBuilder()
        .bearerToken(backend.bearerToken() == null ? null : PLACEHOLDER)
        .headers(headers)
        .build();
  }

  /**
   * The incoming backend with every placeholder replaced by the stored secret it stands for.
   *
   * @param stored the backend as stored, or null when {@code incoming} is being created
   * @throws FlowException {@link ErrorCode#BAD_REQUEST} when a placeholder stands for nothing
   *     stored: storing it would send {@value #PLACEHOLDER} to the backend as a credential
   */
  public static Backend keepStoredSecrets(Backend incoming, Backend stored) {
    Backend.Builder result = null;
    if (PLACEHOLDER.equals(incoming.bearerToken())) {
      if (stored == null || stored.bearerToken() == null) {
        throw placeholderWithoutSecret("BearerToken", incoming, stored);
      }
      result = incoming.toBuilder().bearerToken(stored.bearerToken());
    }
    Map<String, String> headers = new LinkedHashMap<>();
    boolean headerKept = false;
    for (Map.Entry<String, String> header : incoming.headers().entrySet()) {
      String name = header.getKey();
      String value = header.getValue();
      if (PLACEHOLDER.equals(value) && isCredentialHeader(name)) {
        String storedValue = stored == null ? null : headerIgnoringCase(stored.headers(), name);
        if (storedValue == null) throw placeholderWithoutSecret("Headers." + name, incoming, stored);
        value = storedValue;
        headerKept = true;
      }
      headers.put(name, value);
    }
    if (headerKept) result = (result != null ? result : incoming.toBuilder()).headers(headers);
    return result == null ? incoming : result.build();
  }

  private static String headerIgnoringCase(Map<String, String> headers, String name) {
    for (Map.Entry<String, String> header : headers.entrySet()) {
      if (header.getKey().equalsIgnoreCase(name)) return header.getValue();
    }
    return null;
  }

  private static FlowException placeholderWithoutSecret(String field, Backend incoming, Backend stored) {
    String where = stored == null ? "a new backend has no stored value to keep"
        : "backend '" + incoming.identifier() + "' has no stored value to keep";
    return new FlowException(ErrorCode.BAD_REQUEST, field + ": \"" + PLACEHOLDER + "\" is the redacted placeholder, and "
        + where + " (expected: the real value, or leave the field out)");
  }
}
