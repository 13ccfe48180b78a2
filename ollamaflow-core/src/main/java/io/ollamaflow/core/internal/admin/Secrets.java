package io.ollamaflow.core.internal.admin;

import io.ollamaflow.api.Backend;
import io.ollamaflow.api.ErrorCode;
import io.ollamaflow.api.FlowException;
import java.util.LinkedHashMap;
import java.util.Set;
import java.util.Locale;
import java.util.Map;

/**
 * Which parts of a backend are secret, how they are shown, and how a shown (redacted) object sent
 * back whole keeps the secrets it stood for.
 *
 * <p>Secret: the {@code BearerToken}, the value of every header and the value of every
 * {@code Querystring} parameter, except under the few names known to carry nothing secret
 * ({@link #HARMLESS_HEADERS}, {@link #HARMLESS_PARAMETERS}): a credential can hide under any
 * name ({@code X-Auth}, {@code X-Sess}, {@code apikey}), so names are not guessed at. Secrets are
 * shown as {@value #PLACEHOLDER}. OllamaFlow's web UI and SDK read an object and write it back
 * whole, so an update carrying the placeholder keeps the stored value instead of storing the
 * placeholder.
 */
public final class Secrets {
  /** What a secret is shown as. */
  public static final String PLACEHOLDER = "********";
  /** Header names whose values are shown, lower case. */
  private static final Set<String> HARMLESS_HEADERS = Set.of("accept", "accept-language", "content-type", "user-agent",
      "cache-control");
  /**
   * Header names of a client's request whose values a log shows, lower case: framing, content
   * negotiation, forwarding and our own routing headers. A client's credential can hide under any
   * other name, as a backend's can.
   */
  private static final Set<String> SHOWN_REQUEST_HEADERS = Set.of("host", "content-type", "content-length",
      "transfer-encoding", "connection", "expect", "accept", "accept-encoding", "accept-language", "user-agent",
      "cache-control", "x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "x-ollamaflow-label");
  /** Query parameter names whose values are shown, lower case (Azure OpenAI's API version). */
  private static final Set<String> HARMLESS_PARAMETERS = Set.of("api-version");

  private Secrets() {}

  /** True when this header's value is never shown. */
  private static boolean isSecretHeader(String name) {
    return !HARMLESS_HEADERS.contains(name.toLowerCase(Locale.ROOT));
  }

  /** The backend with its secrets replaced by {@value #PLACEHOLDER}; fit to show to anyone. */
  public static Backend redacted(Backend backend) {
    Map<String, String> headers = new LinkedHashMap<>();
    backend.headers().forEach((name, value) -> headers.put(name, isSecretHeader(name) ? PLACEHOLDER : value));
    String query = backend.querystring() == null ? null : QueryParameters.parse(backend.querystring())
        .mapValues((name, value) -> isSecretParameter(name) ? PLACEHOLDER : value).toString();
    return backend.toBuilder()
        .bearerToken(backend.bearerToken() == null ? null : PLACEHOLDER)
        .headers(headers)
        .querystring(query)
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
      if (PLACEHOLDER.equals(value) && isSecretHeader(name)) {
        String storedValue = stored == null ? null : headerIgnoringCase(stored.headers(), name);
        if (storedValue == null) throw placeholderWithoutSecret("Headers." + name, incoming, stored);
        value = storedValue;
        headerKept = true;
      }
      headers.put(name, value);
    }
    if (headerKept) result = (result != null ? result : incoming.toBuilder()).headers(headers);
    if (incoming.querystring() != null && incoming.querystring().contains(PLACEHOLDER)) {
      QueryParameters storedQuery = QueryParameters.parse(stored == null ? null : stored.querystring());
      String query = QueryParameters.parse(incoming.querystring()).mapValues((name, value) -> {
        if (!PLACEHOLDER.equals(value) || !isSecretParameter(name)) return value;
        String storedValue = storedQuery.take(name);
        if (storedValue == null) throw placeholderWithoutSecret("Querystring." + name, incoming, stored);
        return storedValue;
      }).toString();
      result = (result != null ? result : incoming.toBuilder()).querystring(query);
    }
    return result == null ? incoming : result.build();
  }

  /** A client request header's value as a log may show it: itself, or {@value #PLACEHOLDER}. */
  public static String shownRequestHeader(String name, String value) {
    return SHOWN_REQUEST_HEADERS.contains(name.toLowerCase(Locale.ROOT)) ? value : PLACEHOLDER;
  }

  /**
   * A query string with the value of every parameter but the harmless ones shown as
   * {@value #PLACEHOLDER}, and so the name of a parameter without a value.
   */
  public static String redactedQuery(String query) {
    return QueryParameters.parse(query).redacted(name -> !isSecretParameter(name), PLACEHOLDER).toString();
  }

  private static boolean isSecretParameter(String name) {
    return !HARMLESS_PARAMETERS.contains(name.toLowerCase(Locale.ROOT));
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
