package io.ollamaflow.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class BackendTest {

  private static ObjectNode node(String key, int value) {
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    node.put(key, value);
    return node;
  }

  // ---- defaults ----

  @Test
  void defaultsAreOllamasPortAndOllamaFlowsOtherwise() {
    Backend b = Backend.builder("b1").build();

    assertThat(b.identifier()).isEqualTo("b1");
    assertThat(b.name()).isNull();
    assertThat(b.hostname()).isEqualTo("localhost");
    // Ollama's port, not OllamaFlow's 8000.
    assertThat(b.port()).isEqualTo(11434);
    assertThat(b.ssl()).isFalse();
    assertThat(b.apiFormat()).isSameAs(ApiFormat.OLLAMA);
    assertThat(b.healthCheckMethod()).isEqualTo("GET");
    assertThat(b.healthCheckUrl()).isEqualTo("/");
    assertThat(b.healthyThreshold()).isEqualTo(2);
    assertThat(b.unhealthyThreshold()).isEqualTo(2);
    assertThat(b.maxParallelRequests()).isEqualTo(4);
    assertThat(b.rateLimitRequestsThreshold()).isEqualTo(10);
    assertThat(b.labels()).isEmpty();
    assertThat(b.headers()).isEmpty();
    assertThat(b.bearerToken()).isNull();
    assertThat(b.querystring()).isNull();
    assertThat(b.pinnedEmbeddingsProperties().isEmpty()).isTrue();
    assertThat(b.pinnedCompletionsProperties().isEmpty()).isTrue();
    assertThat(b.allowEmbeddings()).isTrue();
    assertThat(b.allowCompletions()).isTrue();
    assertThat(b.logRequestFull()).isFalse();
    assertThat(b.logRequestBody()).isFalse();
    assertThat(b.logResponseBody()).isFalse();
    assertThat(b.active()).isTrue();
    assertThat(b.lastUpdateUtc()).isEqualTo(b.createdUtc());
  }

  // ---- validation messages ----

  @ParameterizedTest
  @ValueSource(ints = {0, 65536, -1})
  void portOutsideRangeIsRefusedWithFieldValueAndExpectation(int port) {
    assertThatThrownBy(() -> Backend.builder("b").port(port))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("port: " + port + " (expected: 1-65535)");
  }

  @Test
  void portBoundsAreInclusive() {
    assertThat(Backend.builder("b").port(1).build().port()).isEqualTo(1);
    assertThat(Backend.builder("b").port(65535).build().port()).isEqualTo(65535);
  }

  @Test
  void zeroUnhealthyThresholdIsRefusedWithFieldValueAndExpectation() {
    assertThatThrownBy(() -> Backend.builder("b").unhealthyThreshold(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unhealthyThreshold")
        .hasMessageContaining(": 0")
        .hasMessageContaining("expected: 1-");
  }

  @Test
  void zeroHealthyThresholdIsRefusedWithFieldValueAndExpectation() {
    assertThatThrownBy(() -> Backend.builder("b").healthyThreshold(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("healthyThreshold")
        .hasMessageContaining(": 0")
        .hasMessageContaining("expected: 1-");
  }

  @Test
  void zeroMaxParallelAndRateLimitAreRefusedNamingField() {
    assertThatThrownBy(() -> Backend.builder("b").maxParallelRequests(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxParallelRequests: 0");
    assertThatThrownBy(() -> Backend.builder("b").rateLimitRequestsThreshold(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("rateLimitRequestsThreshold: 0");
  }

  @Test
  void postHealthCheckMethodIsRefusedWithFieldValueAndExpectation() {
    assertThatThrownBy(() -> Backend.builder("b").healthCheckMethod("POST"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("healthCheckMethod: \"POST\" (expected: GET or HEAD)");
  }

  @Test
  void healthCheckMethodIsNormalisedToUpperCase() {
    assertThat(Backend.builder("b").healthCheckMethod("head").build().healthCheckMethod()).isEqualTo("HEAD");
    assertThat(Backend.builder("b").healthCheckMethod(" Get ").build().healthCheckMethod()).isEqualTo("GET");
  }

  @Test
  void nullOrBlankHealthCheckMethodMeansGet() {
    assertThat(Backend.builder("b").healthCheckMethod("HEAD").healthCheckMethod(null).build().healthCheckMethod())
        .isEqualTo("GET");
    assertThat(Backend.builder("b").healthCheckMethod("").build().healthCheckMethod()).isEqualTo("GET");
  }

  @Test
  void healthCheckUrlWithoutLeadingSlashIsRefusedWithFieldValueAndExpectation() {
    assertThatThrownBy(() -> Backend.builder("b").healthCheckUrl("api/version"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("healthCheckUrl: \"api/version\" (expected: a path starting with '/')");
  }

  @Test
  void nullOrBlankHealthCheckUrlMeansRoot() {
    assertThat(Backend.builder("b").healthCheckUrl("/x").healthCheckUrl(null).build().healthCheckUrl()).isEqualTo("/");
    assertThat(Backend.builder("b").healthCheckUrl(" ").build().healthCheckUrl()).isEqualTo("/");
    assertThat(Backend.builder("b").healthCheckUrl("/api/version").build().healthCheckUrl()).isEqualTo("/api/version");
  }

  @Test
  void hostnameWithSchemeIsRefusedWithFieldValueAndExpectation() {
    assertThatThrownBy(() -> Backend.builder("b").hostname("http://x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("hostname")
        .hasMessageContaining("\"http://x\"")
        .hasMessageContaining("expected: a host name or IP address, without scheme or path");
  }

  @Test
  void hostnameWithPathOrSpaceIsRefused() {
    assertThatThrownBy(() -> Backend.builder("b").hostname("host/path"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("hostname");
    assertThatThrownBy(() -> Backend.builder("b").hostname("my host"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("hostname");
  }

  @Test
  void blankHostnameIsRefusedNamingField() {
    assertThatThrownBy(() -> Backend.builder("b").hostname(" "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("hostname: \" \" (expected: a non-empty string)");
  }

  @Test
  void headerNameWithColonIsRefusedWithFieldValueAndExpectation() {
    assertThatThrownBy(() -> Backend.builder("b").headers(Map.of("X-Bad:Name", "v")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("headers")
        .hasMessageContaining("\"X-Bad:Name\"")
        .hasMessageContaining("no ':'");
  }

  @Test
  void headerValueWithNewlineIsRefusedNamingHeaderWithoutShowingValue() {
    assertThatThrownBy(() -> Backend.builder("b").headers(Map.of("X-Api-Key", "secret\r\nX-Injected: 1")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("headers")
        .hasMessageContaining("X-Api-Key")
        .hasMessageContaining("line break")
        .message().doesNotContain("secret");
  }

  @Test
  void nullHeaderValueIsRefused() {
    Map<String, String> headers = new HashMap<>();
    headers.put("X-A", null);
    assertThatThrownBy(() -> Backend.builder("b").headers(headers))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("X-A");
  }

  @Test
  void querystringWithSpaceIsRefusedWithFieldValueAndExpectation() {
    assertThatThrownBy(() -> Backend.builder("b").querystring("a=1 b=2"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("querystring: \"a=1 b=2\" (expected: URL query parameters without spaces or '#')");
  }

  @Test
  void querystringLeadingQuestionMarkIsDropped() {
    assertThat(Backend.builder("b").querystring("?api-version=2024-02-01").build().querystring())
        .isEqualTo("api-version=2024-02-01");
    assertThat(Backend.builder("b").querystring("api-version=2024-02-01").build().querystring())
        .isEqualTo("api-version=2024-02-01");
  }

  @Test
  void emptyQuerystringMeansNone() {
    assertThat(Backend.builder("b").querystring("?").build().querystring()).isNull();
    assertThat(Backend.builder("b").querystring("").build().querystring()).isNull();
    assertThat(Backend.builder("b").querystring(null).build().querystring()).isNull();
  }

  @Test
  void bearerTokenWithControlCharactersIsRefusedWithoutShowingIt() {
    assertThatThrownBy(() -> Backend.builder("b").bearerToken("sk-abc\nX: y"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bearerToken")
        .message().doesNotContain("sk-abc");
  }

  @Test
  void emptyBearerTokenMeansNone() {
    assertThat(Backend.builder("b").bearerToken("").build().bearerToken()).isNull();
  }

  // ---- baseUrl ----

  @Test
  void baseUrlForHttp() {
    assertThat(Backend.builder("b").build().baseUrl()).isEqualTo("http://localhost:11434");
    assertThat(Backend.builder("b").hostname("gpu1.internal").port(8080).build().baseUrl())
        .isEqualTo("http://gpu1.internal:8080");
  }

  @Test
  void baseUrlForHttps() {
    assertThat(Backend.builder("b").hostname("api.openai.com").port(443).ssl(true).build().baseUrl())
        .isEqualTo("https://api.openai.com:443");
  }

  @Test
  void baseUrlBracketsIpv6Literal() {
    assertThat(Backend.builder("b").hostname("::1").build().baseUrl()).isEqualTo("http://[::1]:11434");
    assertThat(Backend.builder("b").hostname("[::1]").build().baseUrl()).isEqualTo("http://[::1]:11434");
  }

  // ---- toString ----

  @Test
  void toStringNeverContainsBearerTokenOrHeaderValues() {
    Backend b = Backend.builder("b1")
        .bearerToken("sk-top-secret-123")
        .headers(Map.of("X-Api-Key", "header-secret-456"))
        .build();

    String text = b.toString();

    assertThat(text).doesNotContain("sk-top-secret-123").doesNotContain("header-secret-456");
    assertThat(text).contains("b1").contains("X-Api-Key").contains("http://localhost:11434");
  }

  // ---- labels ----

  @Test
  void hasLabelIsExactAndCaseInsensitive() {
    Backend b = Backend.builder("b").labels(List.of("EU", "gpu")).build();

    assertThat(b.hasLabel("eu")).isTrue();
    assertThat(b.hasLabel("EU")).isTrue();
    assertThat(b.hasLabel("GPU")).isTrue();
    assertThat(b.hasLabel("us")).isFalse();
  }

  @Test
  void hasLabelDoesNotMatchSubstrings() {
    Backend b = Backend.builder("b").labels(List.of("neu-1")).build();

    assertThat(b.hasLabel("eu")).isFalse();
    assertThat(b.hasLabel("neu")).isFalse();
    assertThat(b.hasLabel("neu-1")).isTrue();
  }

  @Test
  void blankLabelIsRefused() {
    assertThatThrownBy(() -> Backend.builder("b").labels(List.of("eu", " ")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("labels");
  }

  // ---- allows ----

  @ParameterizedTest
  @EnumSource(RequestKind.class)
  void defaultBackendAllowsEveryKind(RequestKind kind) {
    assertThat(Backend.builder("b").build().allows(kind)).isTrue();
  }

  @ParameterizedTest
  @EnumSource(RequestKind.class)
  void allowEmbeddingsFalseRefusesOnlyEmbeddings(RequestKind kind) {
    Backend b = Backend.builder("b").allowEmbeddings(false).build();

    assertThat(b.allows(kind)).isEqualTo(kind != RequestKind.EMBEDDINGS);
  }

  @ParameterizedTest
  @EnumSource(RequestKind.class)
  void allowCompletionsFalseRefusesOnlyChatAndCompletion(RequestKind kind) {
    Backend b = Backend.builder("b").allowCompletions(false).build();

    assertThat(b.allows(kind)).isEqualTo(kind != RequestKind.CHAT && kind != RequestKind.COMPLETION);
  }

  // ---- immutability and round trip ----

  @Test
  void headersAndLabelsAreImmutableCopies() {
    Map<String, String> headers = new LinkedHashMap<>(Map.of("X-A", "1"));
    Backend b = Backend.builder("b").headers(headers).labels(List.of("eu")).build();
    headers.put("X-B", "2");

    assertThat(b.headers()).containsOnlyKeys("X-A");
    assertThatThrownBy(() -> b.headers().put("X-C", "3")).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> b.labels().add("us")).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void pinnedPropertiesAreDefensivelyCopied() {
    ObjectNode pinned = node("num_ctx", 1024);
    Backend b = Backend.builder("b").pinnedCompletionsProperties(pinned).build();
    pinned.put("injected", 1);
    b.pinnedCompletionsProperties().put("injected", 2);

    assertThat(b.pinnedCompletionsProperties()).isEqualTo(node("num_ctx", 1024));
  }

  @Test
  void toBuilderRoundTripEquals() {
    Backend b = Backend.builder("b1")
        .name("GPU box")
        .hostname("gpu1.internal")
        .port(8000)
        .ssl(true)
        .unhealthyThreshold(3)
        .healthyThreshold(5)
        .healthCheckMethod("HEAD")
        .healthCheckUrl("/health")
        .maxParallelRequests(16)
        .rateLimitRequestsThreshold(100)
        .logRequestFull(true)
        .logRequestBody(true)
        .logResponseBody(true)
        .apiFormat(ApiFormat.OPENAI)
        .labels(List.of("eu", "gpu"))
        .pinnedEmbeddingsProperties(node("truncate", 1))
        .pinnedCompletionsProperties(node("num_ctx", 4096))
        .allowEmbeddings(false)
        .allowCompletions(false)
        .bearerToken("sk-1")
        .querystring("api-version=1")
        .headers(Map.of("X-A", "1"))
        .active(false)
        .createdUtc(Instant.parse("2024-01-02T03:04:05.123456Z"))
        .lastUpdateUtc(Instant.parse("2024-02-03T04:05:06Z"))
        .build();

    Backend copy = b.toBuilder().build();

    assertThat(copy).isEqualTo(b).hasSameHashCodeAs(b);
    assertThat(copy.toBuilder().port(8001).build()).isNotEqualTo(b);
  }
}
