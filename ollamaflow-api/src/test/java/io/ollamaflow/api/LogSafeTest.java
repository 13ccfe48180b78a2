package io.ollamaflow.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LogSafeTest {
  @Test
  void anOrdinaryValueIsReturnedAsItIs() {
    String model = "llama3.2:3b-instruct-q4_K_M";
    assertThat(LogSafe.of(model)).isSameAs(model);
  }

  @Test
  void lineBreaksCannotStartAForgedLine() {
    assertThat(LogSafe.of("m\n[main] INFO admin - login ok\r\n")).isEqualTo("m\\n[main] INFO admin - login ok\\r\\n")
        .doesNotContain("\n", "\r");
  }

  @Test
  void terminalEscapesNulAndOtherControlsAreWrittenAsEscapes() {
    assertThat(LogSafe.of("/api/\u001b[31mRED\u001b[0m\u0000\u007f\u009b\t"))
        .isEqualTo("/api/\\u001b[31mRED\\u001b[0m\\u0000\\u007f\\u009b\\t");
  }

  @Test
  void lineSeparatorsAndBidiOverridesAreEscaped() {
    assertThat(LogSafe.of("a\u2028b\u202ec\u2066")).isEqualTo("a\\u2028b\\u202ec\\u2066");
  }

  @Test
  void aBackslashIsDoubledSoAnEscapeInTheLogAlwaysMeansAControlCharacter() {
    assertThat(LogSafe.of("a\\nb")).isEqualTo("a\\\\nb");
  }

  @Test
  void aLongValueIsCutAndSaysHowLongItWas() {
    String huge = "x".repeat(1_000_000);
    assertThat(LogSafe.of(huge)).isEqualTo("x".repeat(LogSafe.MAX_LENGTH) + "...(1000000 chars)");
  }

  @Test
  void theCutNeverSplitsASurrogatePair() {
    String value = "x".repeat(LogSafe.MAX_LENGTH - 1) + "\uD83D\uDE00" + "tail";
    assertThat(LogSafe.of(value)).isEqualTo("x".repeat(LogSafe.MAX_LENGTH - 1) + "...(" + value.length() + " chars)");
  }

  @Test
  void nullIsWrittenAsNull() {
    assertThat(LogSafe.of(null)).isEqualTo("null");
  }
}
