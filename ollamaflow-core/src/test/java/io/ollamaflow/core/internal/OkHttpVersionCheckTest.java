package io.ollamaflow.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class OkHttpVersionCheckTest {

  @Test
  void okHttp4IsRefusedWithAMessageNamingTheFoundAndTheNeededVersion() {
    assertThatThrownBy(() -> OkHttpVersionCheck.requireSupported("4.12.0"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("OkHttp 4.12.0")
        .hasMessageContaining("needs OkHttp 5.x")
        .hasMessageContaining("exclude com.squareup.okhttp3:okhttp 4.12.0");
  }

  @Test
  void okHttpOlderThan4WithoutAVersionFieldIsRefused() {
    assertThatThrownBy(() -> OkHttpVersionCheck.requireSupported("older than 4 (no okhttp3.OkHttp.VERSION)"))
        .hasMessageContaining("provides OkHttp older than 4");
  }

  @Test
  void okHttp5ReleasesAndPreReleasesAreAccepted() {
    assertThatCode(() -> OkHttpVersionCheck.requireSupported("5.5.1")).doesNotThrowAnyException();
    assertThatCode(() -> OkHttpVersionCheck.requireSupported("5.0.0-alpha.14")).doesNotThrowAnyException();
    assertThatCode(() -> OkHttpVersionCheck.requireSupported("6.0.0")).doesNotThrowAnyException();
  }

  @Test
  void theVersionIsReadFromTheOkHttpClassesActuallyLoaded() {
    // The build puts okhttp-jvm 5 on the class path; a constant copied at compile time would not show a swap.
    assertThat(OkHttpVersionCheck.runtimeVersion())
        .isEqualTo(okhttp3.OkHttp.VERSION).startsWith("5.");
  }
}
