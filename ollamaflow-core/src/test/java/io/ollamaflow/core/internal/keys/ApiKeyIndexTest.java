package io.ollamaflow.core.internal.keys;

import static org.assertj.core.api.Assertions.assertThat;

import io.ollamaflow.api.ApiKey;
import io.ollamaflow.core.internal.keys.ApiKeyIndex.KnownKey;
import java.util.List;
import org.junit.jupiter.api.Test;

class ApiKeyIndexTest {
  private static final String SECRET = "sk-team-a-0123456789";

  @Test
  void aKeysModelPatternsAreCompiledWhenTheIndexIsBuilt() {
    ApiKey key = ApiKey.builder("team-a").secret(SECRET).models(List.of("llama3", "qwen*")).build();

    KnownKey known = ApiKeyIndex.of(List.of(key), ApiKeyIndex.EMPTY).find(SECRET).orElseThrow();

    assertThat(known.models().allows("LLAMA3:latest")).isTrue();
    assertThat(known.models().allows("qwen2.5:7b")).isTrue();
    assertThat(known.models().allows("mistral")).isFalse();
  }

  @Test
  void aKeysCounterNamesAreMadeOnceAndNameItsIdentifier() {
    ApiKey key = ApiKey.builder("team-a").secret(SECRET).build();
    ApiKeyIndex index = ApiKeyIndex.of(List.of(key), ApiKeyIndex.EMPTY);

    KnownKey known = index.find(SECRET).orElseThrow();

    assertThat(known.counters()).isEqualTo(new KeyWindows.Counters("apikey:team-a:requests", "apikey:team-a:tokens"));
    assertThat(index.find(SECRET).orElseThrow().counters()).isSameAs(known.counters());
  }

  @Test
  void anEditedKeyGetsItsNewPatternsAndKeepsItsRequestsInFlight() {
    ApiKey before = ApiKey.builder("team-a").secret(SECRET).models(List.of("llama3")).build();
    ApiKeyIndex first = ApiKeyIndex.of(List.of(before), ApiKeyIndex.EMPTY);
    assertThat(first.find(SECRET).orElseThrow().slots().take(1, 0)).isTrue();

    ApiKey edited = before.toBuilder().models(List.of("mistral")).build();
    KnownKey after = ApiKeyIndex.of(List.of(edited), first).find(SECRET).orElseThrow();

    assertThat(after.models().allows("mistral")).isTrue();
    assertThat(after.models().allows("llama3")).isFalse();
    assertThat(after.slots().take(1, 0)).as("the slot taken before the edit still counts").isFalse();
  }
}
