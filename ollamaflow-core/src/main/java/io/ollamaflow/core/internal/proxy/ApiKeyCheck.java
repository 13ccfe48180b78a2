package io.ollamaflow.core.internal.proxy;

import io.ollamaflow.api.ApiKey;
import io.ollamaflow.api.ApiKeyUsage;
import io.ollamaflow.api.ErrorCode;
import io.ollamaflow.api.FlowException;
import io.ollamaflow.api.Frontend;
import io.ollamaflow.core.internal.ClusterState;
import io.ollamaflow.core.internal.keys.ApiKeyIndex.KnownKey;
import io.ollamaflow.core.internal.keys.ApiKeyUsageLog;
import io.ollamaflow.core.internal.keys.KeyWindows;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The API-key part of admission: which key a request presents ({@code Authorization: Bearer <key>}
 * or {@code X-Api-Key: <key>}) and whether that key may go on: active, not expired, allowed on
 * this frontend, within its concurrent requests, tokens per minute and requests per minute, in that
 * order. A refused request holds no slot and never reaches a backend.
 *
 * <p>A frontend with {@code RequireApiKey} refuses requests without a valid key. A frontend without
 * it checks a key only when it is one of the configured keys (its limits then apply, and it is not
 * forwarded); anything else in those headers is not ours (an SDK's placeholder key, a backend's own
 * credential) and is forwarded as it is.
 *
 * <p>Threading: request threads call it concurrently; it keeps no per-request state.
 */
final class ApiKeyCheck {
  static final String AUTHORIZATION = "Authorization";
  static final String X_API_KEY = "X-Api-Key";
  /** Longer values are refused unread: keys are far shorter, and nobody's megabyte header is hashed. */
  static final int MAX_KEY_LENGTH = ApiKey.MAX_SECRET_LENGTH;
  private static final String BEARER = "Bearer";
  /**
   * How long a request over its key's MaxConcurrentRequests waits for a slot before its 429: the
   * previous request's slot is freed just after its answer reached the client, so a client that
   * sends its next request at once must not be refused for that instant.
   */
  private static final long SLOT_GRACE_NANOS = 50_000_000;

  /** The request may go on; what its key still has to do during and after the request. */
  sealed interface Admitted permits Open, KeyGrant {
    /** Whether the client's key headers must be kept from the backend. */
    boolean stripsClientKey();

    /**
     * Once the model is known (after reading, before selection).
     *
     * @throws FlowException 403 when the key may not use the model
     */
    void checkModel(RequestState request);

    /**
     * Whether the key may use {@code model}, named as a client would name it: allowed itself, or an
     * alias whose target ({@code aliasTarget}, null when it is none) is allowed. Listings show only
     * such models.
     */
    boolean mayUse(String model, String aliasTarget);

    /** The request ended, however: releases its slot and counts its usage. Idempotent. */
    void end(RequestState request);
  }

  /** No key applies: the frontend requires none and none of the configured keys was presented. */
  enum Open implements Admitted {
    INSTANCE;

    @Override public boolean stripsClientKey() { return false; }
    @Override public void checkModel(RequestState request) {}
    @Override public boolean mayUse(String model, String aliasTarget) { return true; }
    @Override public void end(RequestState request) {}
  }

  private final ClusterState state;
  private final KeyWindows windows;
  private final Clock clock;

  ApiKeyCheck(ClusterState state, KeyWindows windows, Clock clock) {
    this.state = state;
    this.windows = windows;
    this.clock = clock;
  }

  /**
   * @return what the request's key still has to do ({@link Open} when no key applies)
   * @throws FlowException when the key is missing, malformed, unknown, inactive, expired, not
   *     allowed on this frontend, or over one of its limits
   */
  Admitted check(Frontend frontend, ProxyCall exchange) {
    boolean required = frontend.requireApiKey();
    Presented presented = presented(exchange);
    Optional<KnownKey> found = presented instanceof Presented.Key key ? state.apiKeys().find(key.secret()) : Optional.empty();
    if (found.isEmpty()) {
      // Two different keys, one of them ours: neither may be forwarded, and which applies is unknown.
      boolean carriesOurs = presented instanceof Presented.Conflicting conflicting
          && conflicting.each().stream()
          .anyMatch(each -> each instanceof Presented.Key key && state.apiKeys().find(key.secret()).isPresent());
      if (!required && !carriesOurs) return Open.INSTANCE;
      state.keyUsage().refusedWithoutKey();
      String why = presented instanceof Presented.Malformed malformed ? malformed.why()
          : presented instanceof Presented.Conflicting ? "Authorization and X-Api-Key carry different keys; send one"
          : presented instanceof Presented.Key key ? "the API key in " + key.header() + " is not valid"
          : "frontend '" + frontend.identifier() + "' requires an API key: send Authorization: Bearer <key> or X-Api-Key: <key>";
      throw new FlowException(ErrorCode.INVALID_API_KEY, why);
    }
    return admit(frontend, found.get(), clock.instant());
  }

  private Admitted admit(Frontend frontend, KnownKey known, Instant now) {
    ApiKey key = known.key();
    String name = "API key '" + key.identifier() + "'";
    if (!key.active()) throw refuse(key, new FlowException(ErrorCode.INVALID_API_KEY, name + " is inactive"));
    if (key.isExpiredAt(now)) {
      throw refuse(key, new FlowException(ErrorCode.INVALID_API_KEY, name + " expired at " + key.expiresUtc().get()));
    }
    if (!key.frontends().isEmpty() && !key.frontends().contains(frontend.identifier())) {
      throw refuse(key, new FlowException(ErrorCode.FRONTEND_NOT_ALLOWED,
          name + " may not use frontend '" + frontend.identifier() + "'"));
    }
    if (!known.slots().take(key.maxConcurrentRequests(), SLOT_GRACE_NANOS)) {
      throw refuse(key, new QuotaExceeded(name + " has " + key.maxConcurrentRequests()
          + " requests in flight, its MaxConcurrentRequests", 1));
    }
    // Tokens are checked first; a request refused for them is still counted, in a minute whose requests are all refused.
    KeyWindows.Usage used = windows.admit(known, now);
    if (key.tokensPerMinute() > 0 && used.tokens() >= key.tokensPerMinute()) {
      known.slots().release();
      throw refuse(key, new QuotaExceeded(name + " used " + used.tokens() + " tokens this minute, its TokensPerMinute is "
          + key.tokensPerMinute(), KeyWindows.secondsToNextWindow(now)));
    }
    if (key.requestsPerMinute() > 0 && used.requests() > key.requestsPerMinute()) {
      known.slots().release();
      throw refuse(key, new QuotaExceeded(name + " reached its RequestsPerMinute of " + key.requestsPerMinute(),
          KeyWindows.secondsToNextWindow(now)));
    }
    return new KeyGrant(known);
  }

  /** Counts the refusal in the key's usage; returns the error to throw. */
  private FlowException refuse(ApiKey key, FlowException error) {
    state.keyUsage().add(refusal(key));
    return error;
  }

  private static ApiKeyUsage refusal(ApiKey key) {
    return new ApiKeyUsage(key.identifier(), 0, 0, 0, 1, null);
  }

  /** What the key headers hold. */
  private sealed interface Presented {
    Presented NONE = new None();

    record None() implements Presented {}
    /** A well-formed key and the header it came in. */
    record Key(String header, String secret) implements Presented {}
    record Malformed(String why) implements Presented {}
    /** {@code Authorization: Bearer} and {@code X-Api-Key} with different values, each as {@link #validated} found it. */
    record Conflicting(List<Presented> each) implements Presented {}
  }

  /**
   * {@code X-Api-Key} wins when present; otherwise a {@code Bearer} Authorization (the scheme is
   * case-insensitive). Any other Authorization scheme is not a key. Messages never quote a value.
   */
  private static Presented presented(ProxyCall exchange) {
    String apiKey = exchange.requestHeader(X_API_KEY);
    String authorization = exchange.requestHeader(AUTHORIZATION);
    String bearer = bearerToken(authorization);
    if (apiKey != null) {
      Presented fromApiKey = validated(X_API_KEY, apiKey.trim());
      if (bearer != null && !bearer.equals(apiKey.trim())) {
        return new Presented.Conflicting(List.of(validated(AUTHORIZATION, bearer), fromApiKey));
      }
      return fromApiKey;
    }
    if (bearer != null) return validated(AUTHORIZATION, bearer);
    if (authorization != null) {
      return new Presented.Malformed("Authorization does not carry an API key (expected: Bearer <key>)");
    }
    return Presented.NONE;
  }

  /** The token of a {@code Bearer} credential (empty when it has none); null for no or another scheme. */
  private static String bearerToken(String authorization) {
    if (authorization == null) return null;
    String value = authorization.trim();
    if (!value.regionMatches(true, 0, BEARER, 0, BEARER.length())) return null;
    String rest = value.substring(BEARER.length());
    if (!rest.isEmpty() && rest.charAt(0) != ' ' && rest.charAt(0) != '\t') return null;
    return rest.trim();
  }

  private static Presented validated(String header, String secret) {
    if (secret.isEmpty()) return new Presented.Malformed("the API key in " + header + " is empty");
    if (secret.length() > MAX_KEY_LENGTH) {
      return new Presented.Malformed("the API key in " + header + " is longer than " + MAX_KEY_LENGTH + " characters");
    }
    if (secret.chars().anyMatch(c -> c <= 0x20 || c >= 0x7f)) {
      return new Presented.Malformed("the API key in " + header + " has characters other than visible ASCII");
    }
    return new Presented.Key(header, secret);
  }

  /** An admitted request's use of its key: the model check, and at its end the slot released and usage counted. */
  final class KeyGrant implements Admitted {
    private final KnownKey known;
    private boolean refused;
    private boolean ended;

    private KeyGrant(KnownKey known) {
      this.known = known;
    }

    @Override
    public boolean stripsClientKey() {
      return true;
    }

    /** The model the request names, or for an alias either the alias or its target, must be one the key allows. */
    @Override
    public void checkModel(RequestState request) {
      ApiKey key = known.key();
      String model = request.model();
      String alias = request.aliasOf();
      if (model == null || (alias == null ? mayUse(model, null) : mayUse(alias, model))) return;
      refused = true;
      throw new FlowException(ErrorCode.MODEL_NOT_ALLOWED, "API key '" + key.identifier() + "' may not use model '"
          + (alias != null ? alias : model) + "'");
    }

    @Override
    public boolean mayUse(String model, String aliasTarget) {
      return known.models().allows(model) || (aliasTarget != null && known.models().allows(aliasTarget));
    }

    @Override
    public void end(RequestState request) {
      if (ended) return;
      ended = true;
      known.slots().release();
      ApiKey key = known.key();
      if (refused) {
        state.keyUsage().add(refusal(key));
        return;
      }
      Instant now = clock.instant();
      long prompt = Math.max(0, request.inputTokens());
      long completion = Math.max(0, request.outputTokens());
      if (key.tokensPerMinute() > 0 && prompt + completion > 0) {
        windows.addTokens(known.counters(), now, prompt + completion);
      }
      state.keyUsage().add(new ApiKeyUsage(key.identifier(), 1, prompt, completion, 0, now));
    }
  }
}
