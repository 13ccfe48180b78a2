package io.ollamaflow.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FrontendTest {

  private static ObjectNode node(String key, int value) {
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    node.put(key, value);
    return node;
  }

  // ---- defaults ----

  @Test
  void defaultsEqualOllamaFlows() {
    Frontend f = Frontend.builder("fe1").build();

    assertThat(f.identifier()).isEqualTo("fe1");
    assertThat(f.name()).isNull();
    assertThat(f.hostname()).isEqualTo("*").isEqualTo(Frontend.ANY_HOST);
    assertThat(f.timeoutMs()).isEqualTo(60_000);
    assertThat(f.loadBalancing()).isEqualTo("round-robin").isEqualTo(Frontend.ROUND_ROBIN);
    assertThat(f.blockHttp10()).isTrue();
    assertThat(f.maxRequestBodySize()).isEqualTo(512L * 1024 * 1024);
    assertThat(f.backends()).isEmpty();
    assertThat(f.requiredModels()).isEmpty();
    assertThat(f.logRequestFull()).isFalse();
    assertThat(f.logRequestBody()).isFalse();
    assertThat(f.logResponseBody()).isFalse();
    assertThat(f.useStickySessions()).isFalse();
    assertThat(f.stickySessionExpirationMs()).isEqualTo(1_800_000);
    assertThat(f.pinnedEmbeddingsProperties().isEmpty()).isTrue();
    assertThat(f.pinnedCompletionsProperties().isEmpty()).isTrue();
    assertThat(f.allowEmbeddings()).isTrue();
    assertThat(f.allowCompletions()).isTrue();
    assertThat(f.allowRetries()).isTrue();
    assertThat(f.active()).isTrue();
    assertThat(f.modelAliases()).isEmpty();
    assertThat(f.listConfiguredModelsOnly()).isFalse();
    assertThat(f.preloadModels()).isEmpty();
    assertThat(f.keepModelsLoaded()).isFalse();
    assertThat(f.defaultEmbeddingsProperties().isEmpty()).isTrue();
    assertThat(f.defaultCompletionsProperties().isEmpty()).isTrue();
  }

  @Test
  void timestampsDefaultToNowAndLastUpdateToCreation() {
    Instant before = Instant.now().minusSeconds(1);
    Frontend f = Frontend.builder("fe1").build();

    assertThat(f.createdUtc()).isAfter(before).isBeforeOrEqualTo(Instant.now());
    assertThat(f.lastUpdateUtc()).isEqualTo(f.createdUtc());
  }

  // ---- validation messages name field, value and expectation ----

  @Test
  void negativeTimeoutIsRefusedWithFieldValueAndExpectation() {
    assertThatThrownBy(() -> Frontend.builder("fe").timeoutMs(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("timeoutMs")
        .hasMessageContaining("-1")
        .hasMessageContaining("expected: 0-" + Integer.MAX_VALUE);
  }

  @Test
  void zeroTimeoutMeansNoLimitAndIsAccepted() {
    assertThat(Frontend.builder("fe").timeoutMs(0).build().timeoutMs()).isZero();
  }

  @Test
  void stickyExpiryBelowMinimumIsRefusedWithFieldValueAndExpectation() {
    assertThatThrownBy(() -> Frontend.builder("fe").stickySessionExpirationMs(9_999))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("stickySessionExpirationMs")
        .hasMessageContaining("9999")
        .hasMessageContaining("expected: 10000-86400000");
  }

  @Test
  void stickyExpiryAboveMaximumIsRefusedWithFieldValueAndExpectation() {
    assertThatThrownBy(() -> Frontend.builder("fe").stickySessionExpirationMs(86_400_001))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("stickySessionExpirationMs")
        .hasMessageContaining("86400001")
        .hasMessageContaining("expected: 10000-86400000");
  }

  @Test
  void stickyExpiryBoundsAreInclusive() {
    assertThat(Frontend.builder("fe").stickySessionExpirationMs(10_000).build().stickySessionExpirationMs())
        .isEqualTo(10_000);
    assertThat(Frontend.builder("fe").stickySessionExpirationMs(86_400_000).build().stickySessionExpirationMs())
        .isEqualTo(86_400_000);
  }

  @Test
  void zeroMaxRequestBodySizeIsRefusedWithFieldValueAndExpectation() {
    assertThatThrownBy(() -> Frontend.builder("fe").maxRequestBodySize(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxRequestBodySize")
        .hasMessageContaining(": 0")
        .hasMessageContaining("expected: >= 1");
  }

  @Test
  void maxRequestBodySizeAbove2GiBIsAccepted() {
    assertThat(Frontend.builder("fe").maxRequestBodySize(5_000_000_000L).build().maxRequestBodySize())
        .isEqualTo(5_000_000_000L);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "   ", "\t"})
  void blankHostnameIsRefusedWithFieldValueAndExpectation(String hostname) {
    assertThatThrownBy(() -> Frontend.builder("fe").hostname(hostname))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("hostname")
        .hasMessageContaining("\"" + hostname + "\"")
        .hasMessageContaining("expected: a non-empty string");
  }

  @Test
  void nullHostnameIsRefusedNamingNull() {
    assertThatThrownBy(() -> Frontend.builder("fe").hostname(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("hostname: null (expected: a non-empty string)");
  }

  @Test
  void hostnameIsTrimmed() {
    assertThat(Frontend.builder("fe").hostname("  api.example.com ").build().hostname()).isEqualTo("api.example.com");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "  "})
  void blankIdentifierIsRefusedWithFieldValueAndExpectation(String identifier) {
    assertThatThrownBy(() -> Frontend.builder(identifier))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("identifier: \"" + identifier + "\" (expected: a non-empty string)");
  }

  @Test
  void nullIdentifierIsRefusedNamingNull() {
    assertThatThrownBy(() -> Frontend.builder(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("identifier: null (expected: a non-empty string)");
  }

  @Test
  void identifierWithSlashIsRefusedWithFieldValueAndExpectation() {
    assertThatThrownBy(() -> Frontend.builder("a/b"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("identifier")
        .hasMessageContaining("\"a/b\"")
        .hasMessageContaining("no '/'");
  }

  @Test
  void identifierSetterOnBuilderIsValidatedToo() {
    Frontend.Builder builder = Frontend.builder("fe");
    assertThatThrownBy(() -> builder.identifier("x/y"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("identifier");
  }

  @Test
  void duplicateBackendIdsAreRefusedWithFieldValueAndExpectation() {
    assertThatThrownBy(() -> Frontend.builder("fe").backends(List.of("b1", "b2", "b1")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("backends")
        .hasMessageContaining("[b1, b2, b1]")
        .hasMessageContaining("expected: each backend listed once");
  }

  @Test
  void backendIdsDifferingOnlyInSurroundingSpaceAreDuplicates() {
    assertThatThrownBy(() -> Frontend.builder("fe").backends(List.of("b1", " b1 ")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("each backend listed once");
  }

  @Test
  void blankEntryInBackendsIsRefusedNamingFieldAndExpectation() {
    assertThatThrownBy(() -> Frontend.builder("fe").backends(List.of("b1", " ")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("backends")
        .hasMessageContaining("empty entry")
        .hasMessageContaining("expected: non-empty strings");
  }

  @Test
  void nullEntryInBackendsIsRefused() {
    assertThatThrownBy(() -> Frontend.builder("fe").backends(Arrays.asList("b1", null)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("backends")
        .hasMessageContaining("empty entry");
  }

  @Test
  void blankEntryInRequiredModelsIsRefusedNamingFieldAndExpectation() {
    assertThatThrownBy(() -> Frontend.builder("fe").requiredModels(List.of("llama3", "")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("requiredModels")
        .hasMessageContaining("empty entry")
        .hasMessageContaining("expected: non-empty strings");
  }

  @Test
  void blankLoadBalancingIsRefusedNamingField() {
    assertThatThrownBy(() -> Frontend.builder("fe").loadBalancing(" "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("loadBalancing")
        .hasMessageContaining("expected: a non-empty string");
  }

  // ---- loadBalancing names ----

  @Test
  void loadBalancingAcceptsOllamaFlowEnumNames() {
    assertThat(Frontend.builder("fe").loadBalancing("RoundRobin").build().loadBalancing()).isEqualTo(Frontend.ROUND_ROBIN);
    assertThat(Frontend.builder("fe").loadBalancing("Random").build().loadBalancing()).isEqualTo(Frontend.RANDOM);
  }

  @Test
  void loadBalancingNormalisesCase() {
    assertThat(Frontend.builder("fe").loadBalancing("ROUNDROBIN").build().loadBalancing()).isEqualTo("round-robin");
    assertThat(Frontend.builder("fe").loadBalancing("Round-Robin").build().loadBalancing()).isEqualTo("round-robin");
    assertThat(Frontend.builder("fe").loadBalancing("RANDOM").build().loadBalancing()).isEqualTo("random");
    assertThat(Frontend.builder("fe").loadBalancing(" random ").build().loadBalancing()).isEqualTo("random");
  }

  @Test
  void pluginPolicyNamesAreKeptInLowerCase() {
    assertThat(Frontend.builder("fe").loadBalancing("LeastConnections").build().loadBalancing())
        .isEqualTo("leastconnections");
  }

  // ---- toBuilder ----

  @Test
  void toBuilderRoundTripEquals() {
    ObjectNode pinnedCompletion = node("num_ctx", 4096);
    pinnedCompletion.putArray("stop").add("--");
    Frontend f = Frontend.builder("fe1")
        .name("Frontend one")
        .hostname("api.example.com")
        .timeoutMs(12_345)
        .loadBalancing(Frontend.RANDOM)
        .blockHttp10(false)
        .maxRequestBodySize(1_000)
        .backends(List.of("b2", "b1"))
        .requiredModels(List.of("llama3:latest"))
        .logRequestFull(true)
        .logRequestBody(true)
        .logResponseBody(true)
        .useStickySessions(true)
        .stickySessionExpirationMs(60_000)
        .pinnedEmbeddingsProperties(node("truncate", 1))
        .pinnedCompletionsProperties(pinnedCompletion)
        .allowEmbeddings(false)
        .allowCompletions(false)
        .allowRetries(false)
        .active(false)
        .createdUtc(Instant.parse("2024-01-02T03:04:05.123456Z"))
        .lastUpdateUtc(Instant.parse("2024-02-03T04:05:06.654321Z"))
        .build();

    Frontend copy = f.toBuilder().build();

    assertThat(copy).isEqualTo(f).hasSameHashCodeAs(f);
    assertThat(copy.pinnedCompletionsProperties()).isEqualTo(pinnedCompletion);
    assertThat(copy.createdUtc()).isEqualTo(Instant.parse("2024-01-02T03:04:05.123456Z"));
    assertThat(copy.lastUpdateUtc()).isEqualTo(Instant.parse("2024-02-03T04:05:06.654321Z"));
  }

  @Test
  void toBuilderChangeLeavesOriginalUntouched() {
    Frontend f = Frontend.builder("fe1").hostname("a.example.com").build();

    Frontend changed = f.toBuilder().hostname("b.example.com").build();

    assertThat(f.hostname()).isEqualTo("a.example.com");
    assertThat(changed.hostname()).isEqualTo("b.example.com");
    assertThat(changed).isNotEqualTo(f);
  }

  @Test
  void differentFieldMakesFrontendsUnequal() {
    Instant t = Instant.parse("2024-01-01T00:00:00Z");
    Frontend a = Frontend.builder("fe").createdUtc(t).build();

    assertThat(a.toBuilder().allowRetries(false).build()).isNotEqualTo(a);
    assertThat(a.toBuilder().pinnedEmbeddingsProperties(node("x", 1)).build()).isNotEqualTo(a);
    assertThat(Frontend.builder("fe").createdUtc(t).build()).isEqualTo(a);
  }

  // ---- defensive copies ----

  @Test
  void mutatingThePinnedNodePassedInDoesNotChangeTheFrontend() {
    ObjectNode embeddings = node("truncate", 1);
    ObjectNode completions = node("num_ctx", 2048);
    Frontend.Builder builder = Frontend.builder("fe")
        .pinnedEmbeddingsProperties(embeddings)
        .pinnedCompletionsProperties(completions);
    embeddings.put("injected", true);
    Frontend f = builder.build();
    completions.put("injected", true);

    assertThat(f.pinnedEmbeddingsProperties()).isEqualTo(node("truncate", 1));
    assertThat(f.pinnedCompletionsProperties()).isEqualTo(node("num_ctx", 2048));
  }

  @Test
  void mutatingThePinnedNodeReturnedDoesNotChangeTheFrontend() {
    Frontend f = Frontend.builder("fe")
        .pinnedEmbeddingsProperties(node("truncate", 1))
        .pinnedCompletionsProperties(node("num_ctx", 2048))
        .build();

    f.pinnedEmbeddingsProperties().put("injected", true);
    f.pinnedCompletionsProperties().removeAll();

    assertThat(f.pinnedEmbeddingsProperties()).isEqualTo(node("truncate", 1));
    assertThat(f.pinnedCompletionsProperties()).isEqualTo(node("num_ctx", 2048));
  }

  @Test
  void nullPinnedPropertiesMeanEmptyObject() {
    Frontend f = Frontend.builder("fe").pinnedCompletionsProperties(null).build();

    assertThat(f.pinnedCompletionsProperties()).isEqualTo(JsonNodeFactory.instance.objectNode());
  }

  // ---- lists ----

  @Test
  void listsAreImmutable() {
    Frontend f = Frontend.builder("fe").backends(List.of("b1")).requiredModels(List.of("m1")).build();

    assertThatThrownBy(() -> f.backends().add("b2")).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> f.requiredModels().clear()).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void mutatingTheListPassedInDoesNotChangeTheFrontend() {
    List<String> backends = new ArrayList<>(List.of("b1", "b2"));
    List<String> models = new ArrayList<>(List.of("m1"));
    Frontend f = Frontend.builder("fe").backends(backends).requiredModels(models).build();

    backends.add("b3");
    models.clear();

    assertThat(f.backends()).containsExactly("b1", "b2");
    assertThat(f.requiredModels()).containsExactly("m1");
  }

  @Test
  void backendOrderIsKeptAndEntriesTrimmed() {
    Frontend f = Frontend.builder("fe").backends(List.of(" b3", "b1 ", "b2")).build();

    assertThat(f.backends()).containsExactly("b3", "b1", "b2");
  }

  // ---- matchesHost ----

  @Test
  void matchesHostIsExactAndCaseInsensitive() {
    Frontend f = Frontend.builder("fe").hostname("Api.Example.com").build();

    assertThat(f.matchesHost("api.example.com")).isTrue();
    assertThat(f.matchesHost("API.EXAMPLE.COM")).isTrue();
    assertThat(f.matchesHost("example.com")).isFalse();
    assertThat(f.matchesHost("sub.api.example.com")).isFalse();
    assertThat(f.matchesHost("api.example.com.evil")).isFalse();
    assertThat(f.matchesHost(null)).isFalse();
  }

  @Test
  void catchAllHostnameMatchesAnyHost() {
    Frontend f = Frontend.builder("fe").build();

    assertThat(f.matchesHost("anything.example.com")).isTrue();
    assertThat(f.matchesHost("localhost")).isTrue();
    assertThat(f.matchesHost("")).isTrue();
  }

  @Test
  void toStringNamesIdentifierAndHost() {
    Frontend f = Frontend.builder("fe1").hostname("api.example.com").build();

    assertThat(f.toString()).contains("fe1").contains("api.example.com");
  }

  // ---- gollamas-style model settings ----

  @Test
  void modelAliasesAreTrimmedCopiedAndCompared() {
    Map<String, String> aliases = new LinkedHashMap<>();
    aliases.put(" gpt-4o ", " llama3.1:8b ");
    Frontend f = Frontend.builder("fe").modelAliases(aliases).build();
    aliases.put("other", "x");

    assertThat(f.modelAliases()).containsExactly(Map.entry("gpt-4o", "llama3.1:8b"));
    assertThat(f).isNotEqualTo(Frontend.builder("fe").createdUtc(f.createdUtc()).build());
    assertThat(f.toBuilder().build()).isEqualTo(f);
  }

  @Test
  void rejectsAliasWithoutTargetNamingTheField() {
    Map<String, String> aliases = new LinkedHashMap<>();
    aliases.put("gpt-4o", " ");
    assertThatThrownBy(() -> Frontend.builder("fe").modelAliases(aliases))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("modelAliases.gpt-4o: \" \" (expected: a non-empty model name)");
  }

  @Test
  void rejectsAliasChains() {
    assertThatThrownBy(() -> Frontend.builder("fe").modelAliases(Map.of("a", "b", "b", "c")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("(expected: a model name that is not itself an alias)");
  }

  @Test
  void rejectsEmptyPreloadModel() {
    assertThatThrownBy(() -> Frontend.builder("fe").preloadModels(Arrays.asList("llama3", "")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("preloadModels: contains an empty entry");
  }

  @Test
  void defaultPropertiesAreCopiedAndCompared() {
    ObjectNode defaults = node("keep_alive", 600);
    Frontend f = Frontend.builder("fe").defaultCompletionsProperties(defaults).listConfiguredModelsOnly(true)
        .keepModelsLoaded(true).preloadModels(List.of("llama3")).build();
    defaults.put("keep_alive", 1);

    assertThat(f.defaultCompletionsProperties().path("keep_alive").intValue()).isEqualTo(600);
    assertThat(f.defaultEmbeddingsProperties().isEmpty()).isTrue();
    assertThat(f.toBuilder().build()).isEqualTo(f);
    assertThat(f.toBuilder().keepModelsLoaded(false).build()).isNotEqualTo(f);
    assertThat(f.toBuilder().listConfiguredModelsOnly(false).build()).isNotEqualTo(f);
    assertThat(f.toBuilder().defaultEmbeddingsProperties(node("truncate", 1)).build()).isNotEqualTo(f);
  }
}
