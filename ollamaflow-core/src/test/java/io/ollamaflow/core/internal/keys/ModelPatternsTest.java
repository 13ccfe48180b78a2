package io.ollamaflow.core.internal.keys;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ModelPatternsTest {
  @Test
  void anEmptyListAllowsEveryModel() {
    assertThat(ModelPatterns.of(List.of()).allows("anything:7b")).isTrue();
  }

  @Test
  void exactNamesCompareAsOllamaComparesThem() {
    List<String> patterns = List.of("llama3", "registry.ollama.ai/library/qwen2:7b");
    assertThat(ModelPatterns.of(patterns).allows("llama3:latest")).isTrue();
    assertThat(ModelPatterns.of(patterns).allows("LLAMA3")).isTrue();
    assertThat(ModelPatterns.of(patterns).allows("qwen2:7b")).isTrue();
    assertThat(ModelPatterns.of(patterns).allows("llama3:8b")).isFalse();
    assertThat(ModelPatterns.of(patterns).allows("qwen2")).isFalse();
  }

  @Test
  void aStarMatchesAnyRunOfCharactersAtEitherEndOrInside() {
    assertThat(ModelPatterns.of(List.of("llama3*")).allows("llama3.2:1b")).isTrue();
    assertThat(ModelPatterns.of(List.of("*:7b")).allows("mistral:7b")).isTrue();
    assertThat(ModelPatterns.of(List.of("*:7b")).allows("mistral:70b")).isFalse();
    assertThat(ModelPatterns.of(List.of("qwen*coder*")).allows("qwen2.5-coder:32b")).isTrue();
    assertThat(ModelPatterns.of(List.of("qwen*coder*")).allows("qwen2.5:32b")).isFalse();
    assertThat(ModelPatterns.of(List.of("a*a")).allows("a")).as("the two ends may not overlap").isFalse();
    assertThat(ModelPatterns.of(List.of("*")).allows("anything")).isTrue();
  }

  @Test
  void aGlobAlsoMeetsTheCanonicalName() {
    assertThat(ModelPatterns.of(List.of("llama3:*")).allows("llama3")).as("llama3 is llama3:latest").isTrue();
    assertThat(ModelPatterns.of(List.of("*:latest")).allows("Mistral")).isTrue();
  }
}
