package io.ollamaflow.sqlite;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ollamaflow.api.ApiFormat;
import io.ollamaflow.api.Backend;
import io.ollamaflow.api.Frontend;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The content of {@code src/test/resources/schema-v3.sqlite}, a file written by the schema-3 release of
 * this store (commit 2f9adc4) through its public API: {@link #main} ran with that release's jars
 * on the class path. Only builder methods that release had are used, so this class
 * compiles against both; the upgrade test reads the file with the current code and expects these
 * objects back.
 */
public final class Version3Fixture {
  private Version3Fixture() {}

  public static List<Frontend> frontends() {
    ObjectNode pinned = JsonNodeFactory.instance.objectNode();
    pinned.putObject("options").put("num_ctx", 4096).put("temperature", 0.25);
    pinned.putArray("stop").add("--").add("/*");
    ObjectNode defaults = JsonNodeFactory.instance.objectNode().put("keep_alive", "10m");
    Frontend full = Frontend.builder("chat")
        .name("Chat 'main' -- ünïcødé")
        .hostname("chat.example.com")
        .timeoutMs(12_345)
        .loadBalancing("least-requests")
        .blockHttp10(false)
        .maxRequestBodySize(5_000_000_000L)
        .backends(List.of("gpu-2", "gpu-1"))
        .requiredModels(List.of("llama3:latest"))
        .logRequestFull(true)
        .logRequestBody(true)
        .logResponseBody(true)
        .useStickySessions(true)
        .stickySessionExpirationMs(60_000)
        .pinnedEmbeddingsProperties(defaults)
        .pinnedCompletionsProperties(pinned)
        .modelAliases(Map.of("gpt-4o", "llama3.1:8b"))
        .listConfiguredModelsOnly(true)
        .preloadModels(List.of("llama3.1:8b"))
        .keepModelsLoaded(true)
        .defaultEmbeddingsProperties(defaults)
        .defaultCompletionsProperties(pinned)
        .allowEmbeddings(false)
        .allowCompletions(true)
        .allowRetries(false)
        .active(false)
        .createdUtc(Instant.parse("2025-01-02T03:04:05.123456Z"))
        .lastUpdateUtc(Instant.parse("2025-02-03T04:05:06.654321Z"))
        .build();
    Frontend plain = Frontend.builder("embed").backends(List.of("gpu-1"))
        .createdUtc(Instant.parse("2025-03-01T00:00:00Z")).build();
    return List.of(full, plain);
  }

  public static List<Backend> backends() {
    ObjectNode pinned = JsonNodeFactory.instance.objectNode().put("max_tokens", 512);
    Backend full = Backend.builder("gpu-1")
        .name("GPU 1")
        .hostname("gpu-1.internal")
        .port(8443)
        .ssl(true)
        .unhealthyThreshold(5)
        .healthyThreshold(3)
        .healthCheckMethod("HEAD")
        .healthCheckUrl("/health")
        .maxParallelRequests(16)
        .rateLimitRequestsThreshold(64)
        .weight(3)
        .logRequestFull(true)
        .apiFormat(ApiFormat.OPENAI)
        .labels(List.of("eu", "a100"))
        .pinnedCompletionsProperties(pinned)
        .bearerToken("sk-secret'; DROP TABLE backends; --")
        .querystring("api-version=2024-02-01")
        .headers(Map.of("X-Team", "ml"))
        .createdUtc(Instant.parse("2024-12-31T23:59:59.999999Z"))
        .lastUpdateUtc(Instant.parse("2025-06-01T00:00:00Z"))
        .build();
    Backend plain = Backend.builder("gpu-2").hostname("gpu-2.internal")
        .createdUtc(Instant.parse("2025-03-01T00:00:00Z")).build();
    return List.of(full, plain);
  }

  /** Writes the fixture: {@code java -cp <schema-3 classes and this class> io.ollamaflow.sqlite.Version3Fixture <file>}. */
  public static void main(String[] args) {
    try (SqliteConfigStore store = SqliteConfigStore.open(Path.of(args[0]))) {
      backends().forEach(store::putBackend);
      frontends().forEach(store::putFrontend);
    }
  }
}
