package io.ollamaflow.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A key that clients present on the inference routes ({@code Authorization: Bearer <key>} or
 * {@code X-Api-Key}), with what it may use and how much. The secret itself is never kept: only its
 * SHA-256 ({@link #keyHash()}) and a short {@link #keyPrefix()} so an operator can tell keys apart.
 * Keys are random and long, so a plain SHA-256 is enough (no password-style stretching is needed).
 *
 * <p>Limits of 0 mean "no limit"; an empty {@link #frontends()} or {@link #models()} list means
 * "any". Model entries are exact names or globs where {@code *} matches any run of characters.
 * Immutable; build with {@link #builder(String)}.
 */
public final class ApiKey {
  /** Length of {@link #keyPrefix()} taken from the start of a secret. */
  public static final int PREFIX_LENGTH = 12;
  /** Longest secret accepted; the request path refuses longer ones unhashed. */
  public static final int MAX_SECRET_LENGTH = 256;

  private final String identifier;
  private final String name;
  private final String keyPrefix;
  private final String keyHash;
  private final List<String> frontends;
  private final List<String> models;
  private final int requestsPerMinute;
  private final long tokensPerMinute;
  private final int maxConcurrentRequests;
  private final Instant expiresUtc;
  private final boolean active;
  private final Instant createdUtc;
  private final Instant lastUpdateUtc;

  private ApiKey(Builder b) {
    identifier = b.identifier;
    name = b.name;
    keyPrefix = Checks.nonBlank("keyPrefix", b.keyPrefix);
    keyHash = Objects.requireNonNull(b.keyHash, "keyHash: required (ApiKey.hashOf(secret))");
    frontends = b.frontends;
    models = b.models;
    requestsPerMinute = b.requestsPerMinute;
    tokensPerMinute = b.tokensPerMinute;
    maxConcurrentRequests = b.maxConcurrentRequests;
    expiresUtc = b.expiresUtc == null ? null : Checks.timestamp(b.expiresUtc);
    active = b.active;
    createdUtc = Checks.timestamp(b.createdUtc);
    lastUpdateUtc = b.lastUpdateUtc != null ? Checks.timestamp(b.lastUpdateUtc) : createdUtc;
  }

  public static Builder builder(String identifier) {
    return new Builder(identifier);
  }

  public Builder toBuilder() {
    return new Builder(this);
  }

  /** The hex SHA-256 of a secret, as {@link #keyHash()} keeps it. */
  public static String hashOf(String secret) {
    Objects.requireNonNull(secret, "secret");
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  /** The prefix a secret shows as ({@link #PREFIX_LENGTH} characters, or the whole secret if shorter). */
  public static String prefixOf(String secret) {
    return secret.substring(0, Math.min(PREFIX_LENGTH, secret.length()));
  }

  /** Whether {@code secret} is this key's; compares the hashes in constant time. */
  public boolean matches(String secret) {
    return MessageDigest.isEqual(hashOf(secret).getBytes(StandardCharsets.US_ASCII),
        keyHash.getBytes(StandardCharsets.US_ASCII));
  }

  /** Whether the key has expired at {@code now} (an expiry is exclusive: expired from that instant). */
  public boolean isExpiredAt(Instant now) {
    return expiresUtc != null && !now.isBefore(expiresUtc);
  }

  public String identifier() { return identifier; }

  public String name() { return name; }

  /** The first characters of the secret, shown so keys can be told apart; not enough to use it. */
  public String keyPrefix() { return keyPrefix; }

  /** Lower-case hex SHA-256 of the secret. */
  public String keyHash() { return keyHash; }

  /** Frontend identifiers this key may use; empty means every frontend. */
  public List<String> frontends() { return frontends; }

  /** Models this key may use, exact names or {@code *} globs; empty means every model. */
  public List<String> models() { return models; }

  /** Requests per minute; 0 means no limit. */
  public int requestsPerMinute() { return requestsPerMinute; }

  /** Prompt plus generated tokens per minute, as backends report them; 0 means no limit. */
  public long tokensPerMinute() { return tokensPerMinute; }

  /** Requests in flight at once; 0 means no limit. */
  public int maxConcurrentRequests() { return maxConcurrentRequests; }

  public Optional<Instant> expiresUtc() { return Optional.ofNullable(expiresUtc); }

  public boolean active() { return active; }

  public Instant createdUtc() { return createdUtc; }

  public Instant lastUpdateUtc() { return lastUpdateUtc; }

  @Override
  public boolean equals(Object o) {
    if (this == o) return true;
    if (!(o instanceof ApiKey k)) return false;
    return requestsPerMinute == k.requestsPerMinute && tokensPerMinute == k.tokensPerMinute
        && maxConcurrentRequests == k.maxConcurrentRequests && active == k.active
        && identifier.equals(k.identifier) && Objects.equals(name, k.name) && keyPrefix.equals(k.keyPrefix)
        && keyHash.equals(k.keyHash) && frontends.equals(k.frontends) && models.equals(k.models)
        && Objects.equals(expiresUtc, k.expiresUtc) && createdUtc.equals(k.createdUtc)
        && lastUpdateUtc.equals(k.lastUpdateUtc);
  }

  @Override
  public int hashCode() {
    return Objects.hash(identifier, keyHash, lastUpdateUtc);
  }

  /** Never shows the hash. */
  @Override
  public String toString() {
    return "ApiKey{identifier=" + identifier + ", keyPrefix=" + keyPrefix + ", active=" + active + "}";
  }

  /** Builds an {@link ApiKey}; each setter validates its argument and names it in the message. */
  public static final class Builder {
    private final String identifier;
    private String name;
    private String keyPrefix;
    private String keyHash;
    private List<String> frontends = List.of();
    private List<String> models = List.of();
    private int requestsPerMinute;
    private long tokensPerMinute;
    private int maxConcurrentRequests;
    private Instant expiresUtc;
    private boolean active = true;
    private Instant createdUtc;
    private Instant lastUpdateUtc;

    private Builder(String identifier) {
      this.identifier = Checks.identifier(identifier);
    }

    private Builder(ApiKey k) {
      identifier = k.identifier;
      name = k.name;
      keyPrefix = k.keyPrefix;
      keyHash = k.keyHash;
      frontends = k.frontends;
      models = k.models;
      requestsPerMinute = k.requestsPerMinute;
      tokensPerMinute = k.tokensPerMinute;
      maxConcurrentRequests = k.maxConcurrentRequests;
      expiresUtc = k.expiresUtc;
      active = k.active;
      createdUtc = k.createdUtc;
      lastUpdateUtc = k.lastUpdateUtc;
    }

    public Builder name(String value) {
      this.name = value;
      return this;
    }

    /** Sets {@link #keyPrefix} and {@link #keyHash} from the secret; the secret itself is not kept. */
    public Builder secret(String secret) {
      if (secret == null || secret.length() < 16 || secret.length() > MAX_SECRET_LENGTH
          || secret.chars().anyMatch(c -> c <= 0x20 || c >= 0x7f)) {
        throw new IllegalArgumentException("secret: expected 16-" + MAX_SECRET_LENGTH + " visible ASCII characters");
      }
      this.keyPrefix = prefixOf(secret);
      this.keyHash = hashOf(secret);
      return this;
    }

    /** For stores reading a key back: the prefix and hash as {@link #secret} made them. */
    public Builder storedSecret(String keyPrefix, String keyHash) {
      if (keyHash == null || !keyHash.matches("[0-9a-f]{64}")) {
        throw Checks.invalid("keyHash", keyHash, "64 lower-case hex digits");
      }
      this.keyPrefix = Checks.nonBlank("keyPrefix", keyPrefix);
      this.keyHash = keyHash;
      return this;
    }

    public Builder frontends(Collection<String> values) {
      this.frontends = Checks.strings("frontends", values);
      return this;
    }

    public Builder models(Collection<String> values) {
      this.models = Checks.strings("models", values);
      return this;
    }

    public Builder requestsPerMinute(int value) {
      this.requestsPerMinute = Checks.range("requestsPerMinute", value, 0, 1_000_000_000);
      return this;
    }

    public Builder tokensPerMinute(long value) {
      this.tokensPerMinute = Checks.atLeast("tokensPerMinute", value, 0);
      return this;
    }

    public Builder maxConcurrentRequests(int value) {
      this.maxConcurrentRequests = Checks.range("maxConcurrentRequests", value, 0, 1_000_000);
      return this;
    }

    /** When the key stops being accepted; null for never. */
    public Builder expiresUtc(Instant value) {
      this.expiresUtc = value;
      return this;
    }

    public Builder active(boolean value) {
      this.active = value;
      return this;
    }

    public Builder createdUtc(Instant value) {
      this.createdUtc = value;
      return this;
    }

    public Builder lastUpdateUtc(Instant value) {
      this.lastUpdateUtc = value;
      return this;
    }

    /** @throws IllegalArgumentException when no secret (or stored prefix and hash) was given */
    public ApiKey build() {
      if (keyHash == null) throw new IllegalArgumentException("secret: required (secret(...) or storedSecret(...))");
      return new ApiKey(this);
    }
  }
}
