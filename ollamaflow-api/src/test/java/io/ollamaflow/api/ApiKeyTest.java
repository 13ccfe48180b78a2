package io.ollamaflow.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ApiKeyTest {
  private static final String SECRET = "ofk_0123456789abcdefghij";

  @Test
  void keepsOnlyThePrefixAndHashOfTheSecret() {
    ApiKey key = ApiKey.builder("k1").secret(SECRET).build();

    assertThat(key.keyPrefix()).isEqualTo("ofk_01234567");
    assertThat(key.keyHash()).hasSize(64).isEqualTo(ApiKey.hashOf(SECRET)).doesNotContain(SECRET);
    assertThat(key.toString()).doesNotContain(key.keyHash()).contains("ofk_01234567");
  }

  @Test
  void matchesOnlyItsOwnSecret() {
    ApiKey key = ApiKey.builder("k1").secret(SECRET).build();

    assertThat(key.matches(SECRET)).isTrue();
    assertThat(key.matches(SECRET + "x")).isFalse();
    assertThat(key.matches("")).isFalse();
  }

  @Test
  void isExpiredFromTheInstantOfItsExpiry() {
    Instant expiry = Instant.parse("2026-12-04T10:00:00Z");
    ApiKey key = ApiKey.builder("k1").secret(SECRET).expiresUtc(expiry).build();

    assertThat(key.isExpiredAt(expiry.minusMillis(1))).isFalse();
    assertThat(key.isExpiredAt(expiry)).isTrue();
    assertThat(ApiKey.builder("k2").secret(SECRET).build().isExpiredAt(Instant.MAX)).isFalse();
  }

  @Test
  void refusesShortSecretsNegativeLimitsAndBadStoredHashesNamingTheField() {
    assertThatThrownBy(() -> ApiKey.builder("k1").secret("short")).hasMessageContaining("secret");
    assertThatThrownBy(() -> ApiKey.builder("k1").requestsPerMinute(-1)).hasMessageContaining("requestsPerMinute");
    assertThatThrownBy(() -> ApiKey.builder("k1").tokensPerMinute(-1)).hasMessageContaining("tokensPerMinute");
    assertThatThrownBy(() -> ApiKey.builder("k1").storedSecret("ofk_", "xyz")).hasMessageContaining("keyHash");
    assertThatThrownBy(() -> ApiKey.builder("k1").build()).hasMessageContaining("secret");
  }

  @Test
  void roundTripsThroughToBuilderAndStoredSecret() {
    ApiKey key = ApiKey.builder("k1").name("ci").secret(SECRET).frontends(List.of("f1")).models(List.of("llama3*"))
        .requestsPerMinute(60).tokensPerMinute(10_000).maxConcurrentRequests(2).active(false).build();
    ApiKey stored = ApiKey.builder("k1").name("ci").storedSecret(key.keyPrefix(), key.keyHash())
        .frontends(key.frontends()).models(key.models()).requestsPerMinute(60).tokensPerMinute(10_000)
        .maxConcurrentRequests(2).active(false).createdUtc(key.createdUtc()).lastUpdateUtc(key.lastUpdateUtc()).build();

    assertThat(stored).isEqualTo(key).isEqualTo(key.toBuilder().build());
  }

  @Test
  void usageAddsCountsAndKeepsTheLaterLastUse() {
    Instant early = Instant.parse("2026-12-04T10:00:00Z");
    ApiKeyUsage a = new ApiKeyUsage("k1", 1, 10, 20, 0, early);
    ApiKeyUsage b = new ApiKeyUsage("k1", 2, 5, 5, 1, early.plusSeconds(5));

    assertThat(a.plus(b)).isEqualTo(new ApiKeyUsage("k1", 3, 15, 25, 1, early.plusSeconds(5)));
    assertThatThrownBy(() -> a.plus(new ApiKeyUsage("k2", 0, 0, 0, 0, null))).hasMessageContaining("k2");
  }
}
