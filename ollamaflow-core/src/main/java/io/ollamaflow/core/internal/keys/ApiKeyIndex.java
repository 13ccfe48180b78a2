package io.ollamaflow.core.internal.keys;

import io.ollamaflow.api.ApiKey;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The configured API keys as a request finds them: by the SHA-256 of the presented secret, one
 * hash and one map lookup whatever the number of keys, never a scan comparing secrets. Immutable;
 * rebuilt with each configuration revision, carrying each key's requests in flight over.
 */
public final class ApiKeyIndex {
  public static final ApiKeyIndex EMPTY = new ApiKeyIndex(Map.of(), Map.of());

  /**
   * A configured key, what a request needs of it worked out once, and its requests in flight in
   * this instance.
   *
   * @param models the key's {@code Models}, compiled
   * @param counters the names of its per-minute counters
   * @param slots its requests in flight, shared by every index that holds the same identifier
   */
  public record KnownKey(ApiKey key, ModelPatterns models, KeyWindows.Counters counters, KeySlots slots) {}

  private final Map<String, KnownKey> byHash;
  private final Map<String, KnownKey> byIdentifier;

  private ApiKeyIndex(Map<String, KnownKey> byHash, Map<String, KnownKey> byIdentifier) {
    this.byHash = byHash;
    this.byIdentifier = byIdentifier;
  }

  /** The index of {@code keys}; counts of identifiers {@code previous} held are kept. */
  public static ApiKeyIndex of(Collection<ApiKey> keys, ApiKeyIndex previous) {
    Map<String, KnownKey> byHash = new HashMap<>();
    Map<String, KnownKey> byIdentifier = new HashMap<>();
    for (ApiKey key : keys) {
      KnownKey before = previous.byIdentifier.get(key.identifier());
      KeySlots slots = before != null ? before.slots() : new KeySlots();
      KnownKey known = new KnownKey(key, ModelPatterns.of(key.models()), KeyWindows.Counters.of(key.identifier()),
          slots);
      byIdentifier.put(key.identifier(), known);
      byHash.putIfAbsent(key.keyHash(), known);
    }
    return new ApiKeyIndex(Map.copyOf(byHash), Map.copyOf(byIdentifier));
  }

  /** The key whose secret this is, if any. */
  public Optional<KnownKey> find(String secret) {
    if (byHash.isEmpty()) return Optional.empty(); // no SHA-256 of every SDK's placeholder key when there are no keys
    String hash = ApiKey.hashOf(secret);
    KnownKey known = byHash.get(hash);
    // The map lookup found the entry by hash; the final comparison is constant-time regardless.
    if (known == null || !MessageDigest.isEqual(hash.getBytes(StandardCharsets.US_ASCII),
        known.key().keyHash().getBytes(StandardCharsets.US_ASCII))) {
      return Optional.empty();
    }
    return Optional.of(known);
  }
}
