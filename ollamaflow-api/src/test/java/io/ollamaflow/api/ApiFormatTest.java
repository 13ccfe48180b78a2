package io.ollamaflow.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ApiFormatTest {

  @ParameterizedTest
  @ValueSource(strings = {"Ollama", "ollama", "OLLAMA", " oLLaMa "})
  void ofIsCaseInsensitiveAndReturnsTheOllamaConstant(String name) {
    assertThat(ApiFormat.of(name)).isSameAs(ApiFormat.OLLAMA);
  }

  @ParameterizedTest
  @ValueSource(strings = {"OpenAI", "openai", "OPENAI", "Openai "})
  void ofIsCaseInsensitiveAndReturnsTheOpenAiConstant(String name) {
    assertThat(ApiFormat.of(name)).isSameAs(ApiFormat.OPENAI);
  }

  @Test
  void constantsKeepOllamaFlowsSpelling() {
    assertThat(ApiFormat.OLLAMA.name()).isEqualTo("Ollama");
    assertThat(ApiFormat.OPENAI.name()).isEqualTo("OpenAI");
    assertThat(ApiFormat.OPENAI).hasToString("OpenAI");
  }

  @Test
  void pluginNamesAreKeptAsWritten() {
    ApiFormat gemini = ApiFormat.of("Gemini");

    assertThat(gemini.name()).isEqualTo("Gemini");
    assertThat(gemini).hasToString("Gemini");
    assertThat(gemini).isNotEqualTo(ApiFormat.OLLAMA).isNotEqualTo(ApiFormat.OPENAI);
  }

  @Test
  void pluginNamesAreTrimmed() {
    assertThat(ApiFormat.of("  Gemini ").name()).isEqualTo("Gemini");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "\t"})
  void blankNameIsRefusedNamingFieldAndExpectation(String name) {
    assertThatThrownBy(() -> ApiFormat.of(name))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("apiFormat")
        .hasMessageContaining("\"" + name + "\"")
        .hasMessageContaining("expected: Ollama, OpenAI or a plug-in format name");
  }

  @Test
  void nullNameIsRefused() {
    assertThatThrownBy(() -> ApiFormat.of(null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void equalsAndHashCodeIgnoreCase() {
    ApiFormat a = ApiFormat.of("Gemini");
    ApiFormat b = ApiFormat.of("GEMINI");

    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    assertThat(b).isEqualTo(a);
    assertThat(a).isNotEqualTo(ApiFormat.of("Gemini2"));
    assertThat(a).isNotEqualTo("Gemini");
    assertThat(a).isNotEqualTo(null);
  }

  @Test
  void pluginFormatSpelledLikeConstantIsTheConstant() {
    assertThat(ApiFormat.of("openai")).isEqualTo(ApiFormat.OPENAI).hasSameHashCodeAs(ApiFormat.OPENAI);
  }
}
