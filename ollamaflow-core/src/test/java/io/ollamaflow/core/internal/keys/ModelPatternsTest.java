package io.ollamaflow.core.internal.keys;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ModelPatternsTest {
  @Test
  void anEmptyListAllowsEveryModel() {
    assertThat(ModelPatterns.allows(List.of(), "anything:7b")).isTrue();
  }

  @Test
  void exactNamesCompareAsOllamaComparesThem() {
    List<String> patterns = List.of("llama3", "registry.ollama.ai/library/qwen2:7b");
    assertThat(ModelPatterns.allows(patterns, "llama3:latest")).isTrue();
    assertThat(ModelPatterns.allows(patterns, "LLAMA3")).isTrue();
    assertThat(ModelPatterns.allows(patterns, "qwen2:7b")).isTrue();
    assertThat(ModelPatterns.allows(patterns, "llama3:8b")).isFalse();
    assertThat(ModelPatterns.allows(patterns, "qwen2")).isFalse();
  }

  @Test
  void aStarMatchesAnyRunOfCharactersAtEitherEndOrInside() {
    assertThat(ModelPatterns.allows(List.of("llama3*"), "llama3.2:1b")).isTrue();
    assertThat(ModelPatterns.allows(List.of("*:7b"), "mistral:7b")).isTrue();
    assertThat(ModelPatterns.allows(List.of("*:7b"), "mistral:70b")).isFalse();
    assertThat(ModelPatterns.allows(List.of("qwen*coder*"), "qwen2.5-coder:32b")).isTrue();
    assertThat(ModelPatterns.allows(List.of("qwen*coder*"), "qwen2.5:32b")).isFalse();
    assertThat(ModelPatterns.allows(List.of("a*a"), "a")).as("the two ends may not overlap").isFalse();
    assertThat(ModelPatterns.allows(List.of("*"), "anything")).isTrue();
  }

  @Test
  void aGlobAlsoMeetsTheCanonicalName() {
    assertThat(ModelPatterns.allows(List.of("llama3:*"), "llama3")).as("llama3 is llama3:latest").isTrue();
    assertThat(ModelPatterns.allows(List.of("*:latest"), "Mistral")).isTrue();
  }
}
