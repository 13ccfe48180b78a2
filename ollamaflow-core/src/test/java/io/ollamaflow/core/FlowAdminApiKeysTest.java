package io.ollamaflow.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ollamaflow.api.ApiKey;
import io.ollamaflow.api.ApiKeyUsage;
import io.ollamaflow.api.Backend;
import io.ollamaflow.api.ConfigStore;
import io.ollamaflow.api.ErrorCode;
import io.ollamaflow.api.FlowException;
import io.ollamaflow.api.Frontend;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** API keys through the typed admin API: secrets issued once, checks before anything is stored. */
class FlowAdminApiKeysTest {
  private final InMemoryConfigStore store = new InMemoryConfigStore();
  private FlowCluster cluster;
  private FlowAdmin admin;

  @BeforeEach
  void startCluster() {
    store.putFrontend(Frontend.builder("f1").build());
    cluster = FlowCluster.builder().configStore(store).disableActiveHealthChecks().build();
    admin = cluster.admin();
  }

  @AfterEach
  void closeCluster() {
    cluster.close();
  }

  @Test
  void createIssuesASecretThatOnlyTheAnswerHoldsAndTheStoredKeyMatches() {
    FlowAdmin.IssuedApiKey issued = admin.createApiKey(ApiKey.builder("ci").name("CI").frontends(List.of("f1"))
        .requestsPerMinute(60));

    assertThat(issued.secret()).startsWith("ofk_").hasSize(47);
    assertThat(issued.key()).isEqualTo(store.apiKey("ci").orElseThrow());
    assertThat(issued.key().matches(issued.secret())).isTrue();
    assertThat(issued.key().keyPrefix()).isEqualTo(ApiKey.prefixOf(issued.secret()));
    assertThat(issued.toString()).doesNotContain(issued.secret()).contains("ci");
    assertThat(admin.apiKeys()).containsExactly(issued.key());
  }

  @Test
  void createRefusesAConflictAnUnknownFrontendAndAPassedExpiryStoringNothing() {
    admin.createApiKey(ApiKey.builder("ci"));
    long revision = store.revision();

    assertRefused(() -> admin.createApiKey(ApiKey.builder("ci")), ErrorCode.CONFLICT,
        "an API key with identifier 'ci' already exists");
    assertRefused(() -> admin.createApiKey(ApiKey.builder("x").frontends(List.of("ghost"))), ErrorCode.BAD_REQUEST,
        "Frontends: 'ghost' is not a configured frontend");
    assertRefused(() -> admin.createApiKey(ApiKey.builder("y").expiresUtc(Instant.parse("2001-01-01T00:00:00Z"))),
        ErrorCode.BAD_REQUEST, "ExpiresUtc: \"2001-01-01T00:00:00.000000Z\" is not in the future");
    assertThat(store.revision()).isEqualTo(revision);
    assertThat(store.apiKeys()).extracting(ApiKey::identifier).containsExactly("ci");
  }

  @Test
  void updateKeepsTheSecretAndCreatedUtcAndRefusesAnotherSecret() {
    FlowAdmin.IssuedApiKey issued = admin.createApiKey(ApiKey.builder("ci").requestsPerMinute(60));

    ApiKey updated = admin.updateApiKey(issued.key().toBuilder().requestsPerMinute(5).active(false)
        .createdUtc(Instant.parse("2001-01-01T00:00:00Z")).build());
    assertThat(updated.requestsPerMinute()).isEqualTo(5);
    assertThat(updated.active()).isFalse();
    assertThat(updated.createdUtc()).isEqualTo(issued.key().createdUtc());
    assertThat(updated.matches(issued.secret())).isTrue();

    assertRefused(() -> admin.updateApiKey(updated.toBuilder().secret("ofk_my-own-choice-0123456789").build()),
        ErrorCode.BAD_REQUEST, "the secret of API key 'ci' cannot be changed by an update");
    assertRefused(() -> admin.updateApiKey(ApiKey.builder("ghost").secret("ofk_ghost-0123456789abc").build()),
        ErrorCode.NOT_FOUND, "no API key with identifier 'ghost'");
    assertThat(store.apiKey("ci")).contains(updated);
  }

  @Test
  void rotateReplacesTheSecretKeepingSettingsAndUsage() {
    FlowAdmin.IssuedApiKey issued = admin.createApiKey(ApiKey.builder("ci").models(List.of("llama3*")));
    store.addApiKeyUsage(List.of(new ApiKeyUsage("ci", 4, 40, 20, 1, null)));

    FlowAdmin.IssuedApiKey rotated = admin.rotateApiKey("ci");

    assertThat(rotated.secret()).isNotEqualTo(issued.secret());
    assertThat(store.apiKey("ci").orElseThrow().matches(rotated.secret())).isTrue();
    assertThat(store.apiKey("ci").orElseThrow().matches(issued.secret())).isFalse();
    assertThat(rotated.key().models()).containsExactly("llama3*");
    assertThat(admin.apiKeyUsage("ci").requests()).isEqualTo(4);
  }

  @Test
  void usageShowsZerosForUnusedKeysAndDeleteDropsIt() {
    admin.createApiKey(ApiKey.builder("b"));
    admin.createApiKey(ApiKey.builder("a"));
    store.addApiKeyUsage(List.of(new ApiKeyUsage("b", 2, 20, 10, 0, Instant.parse("2025-01-01T00:00:00Z"))));

    assertThat(admin.apiKeyUsage()).containsExactly(new ApiKeyUsage("a", 0, 0, 0, 0, null),
        new ApiKeyUsage("b", 2, 20, 10, 0, Instant.parse("2025-01-01T00:00:00Z")));

    admin.deleteApiKey("b");
    assertThat(admin.apiKeyUsage()).extracting(ApiKeyUsage::identifier).containsExactly("a");
    assertRefused(() -> admin.apiKeyUsage("b"), ErrorCode.NOT_FOUND, "no API key with identifier 'b'");
    assertRefused(() -> admin.deleteApiKey("b"), ErrorCode.NOT_FOUND, "no API key with identifier 'b'");
  }

  @Test
  void concurrentCreatesOfOneIdentifierIssueExactlyOneKey() throws Exception {
    int callers = 8;
    ExecutorService pool = Executors.newFixedThreadPool(callers);
    CountDownLatch go = new CountDownLatch(1);
    try {
      List<Future<String>> outcomes = new ArrayList<>();
      for (int i = 0; i < callers; i++) {
        outcomes.add(pool.submit(() -> {
          go.await();
          try {
            return admin.createApiKey(ApiKey.builder("ci")).secret();
          } catch (FlowException e) {
            return e.code().name();
          }
        }));
      }
      go.countDown();
      List<String> results = new ArrayList<>();
      for (Future<String> outcome : outcomes) results.add(outcome.get(30, TimeUnit.SECONDS));
      List<String> secrets = results.stream().filter(r -> r.startsWith("ofk_")).toList();
      assertThat(secrets).hasSize(1);
      assertThat(results).filteredOn(r -> !r.startsWith("ofk_")).hasSize(callers - 1).containsOnly("CONFLICT");
      assertThat(store.apiKey("ci").orElseThrow().matches(secrets.get(0))).as("the one answered is the one stored")
          .isTrue();
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aStoreWrittenBeforeKeysExistedListsNoneAndRefusesKeyWritesNamingItself() {
    try (FlowCluster old = FlowCluster.builder().configStore(new StoreWithoutKeys(store)).disableActiveHealthChecks()
        .build()) {
      assertThat(old.admin().apiKeys()).isEmpty();
      assertRefused(() -> old.admin().createApiKey(ApiKey.builder("ci")), ErrorCode.INTERNAL,
          "StoreWithoutKeys does not keep API keys (expected: a ConfigStore that implements the API key methods");
      assertThat(store.apiKeys()).isEmpty();
    }
  }

  /** A third-party store from before API keys: only the frontend and backend methods. */
  private static final class StoreWithoutKeys implements ConfigStore {
    private final ConfigStore inner;

    StoreWithoutKeys(ConfigStore inner) {
      this.inner = inner;
    }

    @Override public List<Frontend> frontends() { return inner.frontends(); }
    @Override public Optional<Frontend> frontend(String id) { return inner.frontend(id); }
    @Override public void putFrontend(Frontend frontend) { inner.putFrontend(frontend); }
    @Override public boolean removeFrontend(String id) { return inner.removeFrontend(id); }
    @Override public List<Backend> backends() { return inner.backends(); }
    @Override public Optional<Backend> backend(String id) { return inner.backend(id); }
    @Override public void putBackend(Backend backend) { inner.putBackend(backend); }
    @Override public boolean removeBackend(String id) { return inner.removeBackend(id); }
    @Override public long revision() { return inner.revision(); }
    @Override public void close() {}
  }

  private static void assertRefused(Runnable call, ErrorCode code, String messageStart) {
    assertThatThrownBy(call::run).isInstanceOfSatisfying(FlowException.class, e -> {
      assertThat(e.code()).isEqualTo(code);
      assertThat(e.getMessage()).startsWith(messageStart);
    });
  }
}
