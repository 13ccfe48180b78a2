package io.ollamaflow.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ollamaflow.api.ApiFormat;
import io.ollamaflow.api.Backend;
import io.ollamaflow.api.Frontend;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Writing OllamaFlow's JSON: its names in its order, its time format, and a lossless round trip. */
class ConfigJsonWritingTest {
  private static final Instant CREATED = Instant.parse("2025-09-29T23:01:54.704256Z");

  @Test
  void everyFrontendFieldRoundTrips() {
    ObjectNode pins = JsonNodeFactory.instance.objectNode().put("temperature", 0.2);
    pins.putObject("options").put("num_ctx", 4096);
    Frontend frontend = Frontend.builder("f1").name("Main").hostname("chat.example").timeoutMs(1234)
        .loadBalancing("least-requests").blockHttp10(false).maxRequestBodySize(99).backends(List.of("b2", "b1"))
        .requiredModels(List.of("llama3")).logRequestFull(true).logRequestBody(true).logResponseBody(true)
        .useStickySessions(true).stickySessionExpirationMs(60_000).pinnedEmbeddingsProperties(pins)
        .pinnedCompletionsProperties(pins).modelAliases(java.util.Map.of("gpt-4o", "llama3.1:8b"))
        .listConfiguredModelsOnly(true).preloadModels(List.of("llama3.1:8b")).keepModelsLoaded(true)
        .defaultEmbeddingsProperties(pins).defaultCompletionsProperties(pins)
        .allowEmbeddings(false).allowCompletions(false).allowRetries(false).requireApiKey(true)
        .active(false).createdUtc(CREATED).lastUpdateUtc(CREATED.plusSeconds(1)).build();

    ObjectNode json = ConfigJson.toJson(frontend);

    assertThat(ConfigJson.frontend(json)).isEqualTo(frontend);
    assertThat(fieldNames(json)).containsExactly("Identifier", "Name", "Hostname", "TimeoutMs", "LoadBalancing",
        "BlockHttp10", "MaxRequestBodySize", "Backends", "RequiredModels", "LogRequestFull", "LogRequestBody",
        "LogResponseBody", "UseStickySessions", "StickySessionExpirationMs", "PinnedEmbeddingsProperties",
        "PinnedCompletionsProperties", "ModelAliases", "ListConfiguredModelsOnly", "PreloadModels",
        "KeepModelsLoaded", "DefaultEmbeddingsProperties", "DefaultCompletionsProperties", "AllowEmbeddings",
        "AllowCompletions", "AllowRetries", "RequireApiKey", "Active", "CreatedUtc", "LastUpdateUtc");
    assertThat(json.get("ModelAliases").get("gpt-4o").asText()).isEqualTo("llama3.1:8b");
    assertThat(json.get("CreatedUtc").asText()).isEqualTo("2025-09-29T23:01:54.704256Z");
    assertThat(json.get("LastUpdateUtc").asText()).isEqualTo("2025-09-29T23:01:55.704256Z");
  }

  @Test
  void everyBackendFieldRoundTripsSecretsIncluded() {
    Backend backend = Backend.builder("b1").name("GPU").hostname("10.0.0.1").port(8000).ssl(true)
        .unhealthyThreshold(3).healthyThreshold(4).healthCheckMethod("HEAD").healthCheckUrl("/health")
        .maxParallelRequests(7).rateLimitRequestsThreshold(70).logRequestFull(true).logRequestBody(true)
        .logResponseBody(true).apiFormat(ApiFormat.OPENAI).labels(List.of("eu", "a100"))
        .allowEmbeddings(false).allowCompletions(false).bearerToken("sk-1").querystring("api-version=1")
        .headers(Map.of("X-Api-Key", "k")).active(false).createdUtc(CREATED).build();

    ObjectNode json = ConfigJson.toJson(backend);

    assertThat(ConfigJson.backend(json)).isEqualTo(backend);
    assertThat(fieldNames(json)).containsExactly("Identifier", "Name", "Hostname", "Port", "Ssl",
        "UnhealthyThreshold", "HealthyThreshold", "HealthCheckMethod", "HealthCheckUrl", "MaxParallelRequests",
        "RateLimitRequestsThreshold", "Weight", "LogRequestFull", "LogRequestBody", "LogResponseBody", "ApiFormat", "Labels",
        "PinnedEmbeddingsProperties", "PinnedCompletionsProperties", "AllowEmbeddings", "AllowCompletions",
        "BearerToken", "Querystring", "Headers", "Active", "CreatedUtc", "LastUpdateUtc");
    assertThat(json.get("ApiFormat").asText()).isEqualTo("OpenAI");
    assertThat(json.get("BearerToken").asText()).isEqualTo("sk-1");
  }

  @Test
  void nullsAreLeftOut() {
    assertThat(ConfigJson.toJson(Frontend.builder("f1").build()).has("Name")).isFalse();
    ObjectNode backend = ConfigJson.toJson(Backend.builder("b1").build());
    assertThat(backend.has("Name")).isFalse();
    assertThat(backend.has("BearerToken")).isFalse();
    assertThat(backend.has("Querystring")).isFalse();
  }

  @Test
  void builtInPoliciesAreWrittenUnderOllamaFlowsNamesAndOthersUnderTheirOwn() {
    assertThat(policyWritten("round-robin")).isEqualTo("RoundRobin");
    assertThat(policyWritten("RoundRobin")).isEqualTo("RoundRobin");
    assertThat(policyWritten("random")).isEqualTo("Random");
    assertThat(policyWritten("least-requests")).isEqualTo("least-requests");
    assertThat(policyWritten("my-plugin")).isEqualTo("my-plugin");
  }

  @Test
  void healthViewFieldsSentBackAreIgnoredButOtherUnknownFieldsAreNot() {
    ObjectNode json = ConfigJson.toJson(Backend.builder("b1").build());
    json.put("Healthy", true).put("HealthState", "Healthy").put("LastError", "x").put("ActiveRequests", 3)
        .put("HealthySinceUtc", "2025-01-01T00:00:00.000000Z");
    assertThat(ConfigJson.backend(json).identifier()).isEqualTo("b1");

    json.put("Healty", true);
    assertThatThrownBy(() -> ConfigJson.backend(json)).hasMessageContaining("\"Healty\" is not known");
  }

  @Test
  void mistypedSecretsAreNotEchoedInTheMessage() {
    ObjectNode token = ConfigJson.toJson(Backend.builder("b1").build());
    token.putArray("BearerToken").add("sk-secret");
    assertThatThrownBy(() -> ConfigJson.backend(token)).hasMessage("BearerToken: (value not shown) (expected: a string)");

    ObjectNode header = ConfigJson.toJson(Backend.builder("b1").build());
    header.putObject("Headers").putArray("Authorization").add("Basic secret");
    assertThatThrownBy(() -> ConfigJson.backend(header))
        .hasMessage("Headers.Authorization: (value not shown) (expected: a string)");
  }

  private static String policyWritten(String policy) {
    return ConfigJson.toJson(Frontend.builder("f1").loadBalancing(policy).build()).get("LoadBalancing").asText();
  }

  private static List<String> fieldNames(ObjectNode json) {
    List<String> names = new ArrayList<>();
    json.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
