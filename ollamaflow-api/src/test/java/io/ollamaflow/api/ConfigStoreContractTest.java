package io.ollamaflow.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link ConfigStore} must have. A store's own test extends this class and
 * implements {@link #newStore()}; published in the api test-jar for third-party stores.
 */
public abstract class ConfigStoreContractTest {
  protected ConfigStore store;

  /** A new, empty store. It is closed after each test. */
  protected abstract ConfigStore newStore() throws Exception;

  @BeforeEach
  void openStore() throws Exception {
    store = newStore();
  }

  @AfterEach
  void closeStore() {
    store.close();
  }

  /** A frontend with every field set away from its default, so a store that drops one is caught. */
  protected static Frontend fullFrontend(String id) {
    ObjectNode pinnedEmbed = JsonNodeFactory.instance.objectNode();
    pinnedEmbed.put("truncate", true);
    ObjectNode pinnedCompletion = JsonNodeFactory.instance.objectNode();
    pinnedCompletion.putObject("options").put("num_ctx", 4096).put("temperature", 0.25);
    pinnedCompletion.putArray("stop").add("--").add("/*");
    ObjectNode defaultEmbed = JsonNodeFactory.instance.objectNode();
    defaultEmbed.put("keep_alive", "10m");
    ObjectNode defaultCompletion = JsonNodeFactory.instance.objectNode();
    defaultCompletion.putObject("options").put("num_ctx", 8192);
    defaultCompletion.put("keep_alive", -1);
    return Frontend.builder(id)
        .name("Frontend '" + id + "' -- with quotes")
        .hostname(id + ".example.com")
        .timeoutMs(12_345)
        .loadBalancing(Frontend.RANDOM)
        .blockHttp10(false)
        .maxRequestBodySize(5_000_000_000L)
        .backends(List.of("b2", "b1"))
        .requiredModels(List.of("llama3:latest", "qwen--coder"))
        .logRequestFull(true)
        .logRequestBody(true)
        .logResponseBody(true)
        .useStickySessions(true)
        .stickySessionExpirationMs(60_000)
        .pinnedEmbeddingsProperties(pinnedEmbed)
        .pinnedCompletionsProperties(pinnedCompletion)
        .modelAliases(Map.of("gpt-4o", "llama3.1:8b", "text-embedding-3-small", "nomic-embed-text"))
        .listConfiguredModelsOnly(true)
        .preloadModels(List.of("llama3.1:8b", "nomic-embed-text"))
        .keepModelsLoaded(true)
        .defaultEmbeddingsProperties(defaultEmbed)
        .defaultCompletionsProperties(defaultCompletion)
        .allowEmbeddings(false)
        .allowCompletions(false)
        .allowRetries(false)
        .requireApiKey(true)
        .active(false)
        .createdUtc(Instant.parse("2025-01-02T03:04:05.123456Z"))
        .lastUpdateUtc(Instant.parse("2025-02-03T04:05:06.654321Z"))
        .build();
  }

  /** A backend with every field set away from its default. */
  protected static Backend fullBackend(String id) {
    ObjectNode pinned = JsonNodeFactory.instance.objectNode();
    pinned.put("max_tokens", 512);
    return Backend.builder(id)
        .name("Backend " + id)
        .hostname("gpu-" + id + ".internal")
        .port(8443)
        .ssl(true)
        .unhealthyThreshold(5)
        .healthyThreshold(3)
        .healthCheckMethod("HEAD")
        .healthCheckUrl("/health")
        .maxParallelRequests(16)
        .rateLimitRequestsThreshold(64)
        .logRequestFull(true)
        .logRequestBody(true)
        .logResponseBody(true)
        .apiFormat(ApiFormat.OPENAI)
        .labels(List.of("eu", "gpu'a100"))
        .pinnedEmbeddingsProperties(pinned)
        .pinnedCompletionsProperties(pinned)
        .allowEmbeddings(false)
        .allowCompletions(false)
        .bearerToken("sk-secret'; DROP TABLE backends; --")
        .querystring("api-version=2024-02-01&x=1")
        .headers(Map.of("X-Api-Key", "k'1", "X-Team", "ml"))
        .active(false)
        .createdUtc(Instant.parse("2024-12-31T23:59:59.999999Z"))
        .lastUpdateUtc(Instant.parse("2025-06-01T00:00:00Z"))
        .build();
  }

  /** An API key with every field set away from its default. */
  protected static ApiKey fullApiKey(String id) {
    return ApiKey.builder(id)
        .name("Key '" + id + "' -- for CI")
        .secret("ofk_" + id + "-0123456789abcdefghijklmnopqrstuvwxyz")
        .frontends(List.of("f2", "f1"))
        .models(List.of("llama3*", "qwen2.5:7b"))
        .requestsPerMinute(60)
        .tokensPerMinute(100_000_000_000L)
        .maxConcurrentRequests(4)
        .expiresUtc(Instant.parse("2031-07-08T09:10:11.123456Z"))
        .active(false)
        .createdUtc(Instant.parse("2025-01-02T03:04:05.123456Z"))
        .lastUpdateUtc(Instant.parse("2025-02-03T04:05:06.654321Z"))
        .build();
  }

  /** A plain key: no limits, no expiry, any frontend and model. */
  protected static ApiKey plainApiKey(String id) {
    return ApiKey.builder(id).secret("ofk_" + id + "-plain-secret-0123456789").build();
  }

  @Test
  void newStoreIsEmpty() {
    assertThat(store.frontends()).isEmpty();
    assertThat(store.backends()).isEmpty();
    assertThat(store.frontend("missing")).isEmpty();
    assertThat(store.backend("missing")).isEmpty();
    assertThat(store.apiKeys()).isEmpty();
    assertThat(store.apiKey("missing")).isEmpty();
    assertThat(store.apiKeyUsage()).isEmpty();
  }

  @Test
  void frontendWithEveryFieldSetReadsBackEqual() {
    Frontend frontend = fullFrontend("f1");
    store.putFrontend(frontend);
    assertThat(store.frontend("f1")).contains(frontend);
    assertThat(store.frontends()).containsExactly(frontend);
  }

  @Test
  void backendWithEveryFieldSetReadsBackEqual() {
    Backend backend = fullBackend("b1");
    store.putBackend(backend);
    Backend read = store.backend("b1").orElseThrow();
    assertThat(read).isEqualTo(backend);
    assertThat(read.bearerToken()).isEqualTo(backend.bearerToken());
    assertThat(read.headers()).isEqualTo(backend.headers());
    assertThat(store.backends()).containsExactly(backend);
  }

  @Test
  void defaultObjectsReadBackEqual() {
    Frontend frontend = Frontend.builder("plain").build();
    Backend backend = Backend.builder("plain").build();
    store.putFrontend(frontend);
    store.putBackend(backend);
    assertThat(store.frontend("plain")).contains(frontend);
    assertThat(store.backend("plain")).contains(backend);
  }

  @Test
  void putReplacesTheObjectWithTheSameIdentifier() {
    store.putFrontend(fullFrontend("f1"));
    Frontend replaced = Frontend.builder("f1").hostname("other").build();
    store.putFrontend(replaced);
    assertThat(store.frontends()).containsExactly(replaced);

    store.putBackend(fullBackend("b1"));
    Backend replacedBackend = Backend.builder("b1").port(9999).build();
    store.putBackend(replacedBackend);
    assertThat(store.backends()).containsExactly(replacedBackend);
  }

  @Test
  void removeDeletesOnlyTheNamedObjectAndReportsWhetherItExisted() {
    store.putFrontend(Frontend.builder("f1").build());
    store.putFrontend(Frontend.builder("f2").build());
    store.putBackend(Backend.builder("b1").build());

    assertThat(store.removeFrontend("f1")).isTrue();
    assertThat(store.removeFrontend("f1")).isFalse();
    assertThat(store.removeBackend("nope")).isFalse();
    assertThat(store.frontends()).extracting(Frontend::identifier).containsExactly("f2");
    assertThat(store.backends()).extracting(Backend::identifier).containsExactly("b1");
    assertThat(store.removeBackend("b1")).isTrue();
    assertThat(store.backends()).isEmpty();
  }

  @Test
  void listsAreOrderedByIdentifier() {
    for (String id : List.of("c", "a", "b")) {
      store.putFrontend(Frontend.builder(id).build());
      store.putBackend(Backend.builder(id).build());
    }
    assertThat(store.frontends()).extracting(Frontend::identifier).containsExactly("a", "b", "c");
    assertThat(store.backends()).extracting(Backend::identifier).containsExactly("a", "b", "c");
  }

  @Test
  void identifiersAreCaseSensitive() {
    store.putBackend(Backend.builder("Gpu").build());
    assertThat(store.backend("gpu")).isEmpty();
    store.putBackend(Backend.builder("gpu").build());
    assertThat(store.backends()).hasSize(2);
  }

  @Test
  void revisionChangesAfterEveryWrite() {
    List<Long> seen = new ArrayList<>();
    seen.add(store.revision());
    store.putFrontend(Frontend.builder("f").build());
    seen.add(store.revision());
    store.putBackend(Backend.builder("b").build());
    seen.add(store.revision());
    store.putBackend(Backend.builder("b").port(1234).build());
    seen.add(store.revision());
    store.removeBackend("b");
    seen.add(store.revision());
    store.removeFrontend("f");
    seen.add(store.revision());
    assertThat(seen).doesNotHaveDuplicates();
  }

  @Test
  void revisionIsStableWithoutWrites() {
    store.putFrontend(Frontend.builder("f").build());
    long revision = store.revision();
    store.frontends();
    store.backend("x");
    assertThat(store.revision()).isEqualTo(revision);
  }

  @Test
  void concurrentWritesAreAllKept() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        int n = i;
        futures.add(pool.submit(() -> {
          store.putBackend(Backend.builder(String.format("b%03d", n)).port(10_000 + n).build());
          store.putFrontend(Frontend.builder(String.format("f%03d", n)).backends(List.of(String.format("b%03d", n))).build());
        }));
      }
      for (Future<?> f : futures) f.get(60, TimeUnit.SECONDS);
    } finally {
      pool.shutdownNow();
    }
    assertThat(store.backends()).hasSize(200);
    assertThat(store.frontends()).hasSize(200);
    assertThat(store.backend("b123").orElseThrow().port()).isEqualTo(10_123);
  }

  // ---- API keys and their usage ----

  @Test
  void apiKeyWithEveryFieldSetReadsBackEqual() {
    ApiKey key = fullApiKey("k1");
    store.putApiKey(key);
    ApiKey read = store.apiKey("k1").orElseThrow();
    assertThat(read).isEqualTo(key);
    assertThat(read.keyHash()).isEqualTo(key.keyHash());
    assertThat(read.expiresUtc()).contains(Instant.parse("2031-07-08T09:10:11.123456Z"));
    assertThat(read.frontends()).containsExactly("f2", "f1");
    assertThat(read.active()).isFalse();
    assertThat(read.matches("ofk_k1-0123456789abcdefghijklmnopqrstuvwxyz")).isTrue();
    assertThat(store.apiKeys()).containsExactly(key);
  }

  @Test
  void plainApiKeyReadsBackEqual() {
    ApiKey key = plainApiKey("plain");
    store.putApiKey(key);
    ApiKey read = store.apiKey("plain").orElseThrow();
    assertThat(read).isEqualTo(key);
    assertThat(read.expiresUtc()).isEmpty();
    assertThat(read.frontends()).isEmpty();
    assertThat(read.models()).isEmpty();
  }

  @Test
  void apiKeysAreListedByIdentifierAndPutReplaces() {
    for (String id : List.of("c", "a", "b")) store.putApiKey(plainApiKey(id));
    assertThat(store.apiKeys()).extracting(ApiKey::identifier).containsExactly("a", "b", "c");

    ApiKey replaced = store.apiKey("b").orElseThrow().toBuilder().requestsPerMinute(5).models(List.of("m")).build();
    store.putApiKey(replaced);
    assertThat(store.apiKey("b")).contains(replaced);
    assertThat(store.apiKeys()).hasSize(3);
  }

  @Test
  void removingAnApiKeyDropsItAndItsUsageAndReportsWhetherItExisted() {
    store.putApiKey(plainApiKey("k1"));
    store.putApiKey(plainApiKey("k2"));
    store.addApiKeyUsage(List.of(usage("k1", 1, 10, 20, 0, "2025-05-01T00:00:00Z"),
        usage("k2", 2, 0, 0, 1, "2025-05-01T00:00:01Z")));

    assertThat(store.removeApiKey("k1")).isTrue();
    assertThat(store.removeApiKey("k1")).isFalse();
    assertThat(store.apiKey("k1")).isEmpty();
    assertThat(store.apiKeys()).extracting(ApiKey::identifier).containsExactly("k2");
    assertThat(store.apiKeyUsage()).extracting(ApiKeyUsage::identifier).containsExactly("k2");

    // A key created again under the same identifier starts from no usage.
    store.putApiKey(plainApiKey("k1"));
    assertThat(store.apiKeyUsage()).extracting(ApiKeyUsage::identifier).containsExactly("k2");
  }

  @Test
  void revisionChangesOnEveryApiKeyWriteButNotOnUsage() {
    List<Long> seen = new ArrayList<>();
    seen.add(store.revision());
    store.putApiKey(plainApiKey("k"));
    seen.add(store.revision());
    store.putApiKey(store.apiKey("k").orElseThrow().toBuilder().active(false).build());
    seen.add(store.revision());
    long beforeUsage = store.revision();
    store.addApiKeyUsage(List.of(usage("k", 3, 30, 40, 1, "2025-05-01T00:00:00Z")));
    store.addApiKeyUsage(List.of(usage("gone", 1, 1, 1, 0, "2025-05-01T00:00:00Z")));
    store.addApiKeyUsage(List.of());
    assertThat(store.revision()).as("usage is not configuration").isEqualTo(beforeUsage);
    store.removeApiKey("k");
    seen.add(store.revision());
    assertThat(store.removeApiKey("k")).isFalse();
    assertThat(seen).doesNotHaveDuplicates();
  }

  @Test
  void usageIncrementsAddUpAcrossBatchesAndTheLatestUseWins() {
    store.putApiKey(plainApiKey("a"));
    store.putApiKey(plainApiKey("b"));
    store.addApiKeyUsage(List.of(usage("a", 2, 100, 50, 0, "2025-05-01T10:00:00.123456Z"),
        usage("b", 1, 0, 0, 3, null)));
    store.addApiKeyUsage(List.of(usage("a", 5, 1_000, 500, 2, "2025-05-01T09:00:00Z")));
    store.addApiKeyUsage(List.of(usage("a", 1, 1, 1, 0, "2025-05-01T11:00:00.5Z"),
        usage("a", 1, 10_000_000_000L, 1, 0, null)));

    assertThat(store.apiKeyUsage()).containsExactly(
        usage("a", 9, 10_000_001_101L, 552, 2, "2025-05-01T11:00:00.5Z"),
        usage("b", 1, 0, 0, 3, null));
  }

  @Test
  void usageOfAnUnknownKeyIsDroppedAndTheRestOfTheBatchKept() {
    store.putApiKey(plainApiKey("known"));
    store.addApiKeyUsage(List.of(usage("unknown", 7, 7, 7, 7, "2025-05-01T00:00:00Z"),
        usage("known", 1, 2, 3, 4, "2025-05-01T00:00:00Z")));

    assertThat(store.apiKeyUsage()).containsExactly(usage("known", 1, 2, 3, 4, "2025-05-01T00:00:00Z"));
  }

  private static ApiKeyUsage usage(String id, long requests, long prompt, long completion, long refusals, String last) {
    return new ApiKeyUsage(id, requests, prompt, completion, refusals, last == null ? null : Instant.parse(last));
  }
}
