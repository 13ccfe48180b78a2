package io.ollamaflow.core.internal.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.ollamaflow.api.Backend;
import java.util.List;
import org.junit.jupiter.api.Test;

class LabelsTest {
  private static Backend backend(String... labels) {
    return Backend.builder("b1").labels(List.of(labels)).build();
  }

  @Test
  void nullOrBlankHeaderMeansNoLabels() {
    assertThat(Labels.parse(null)).isEmpty();
    assertThat(Labels.parse("")).isEmpty();
    assertThat(Labels.parse("  \t ")).isEmpty();
    assertThat(Labels.parse(" , ,")).isEmpty();
  }

  @Test
  void parseTrimsDropsEmptiesAndKeepsOrder() {
    assertThat(Labels.parse(" gpu ,eu,, fast ")).containsExactly("gpu", "eu", "fast");
  }

  @Test
  void parseDropsRepeatsIgnoringCaseKeepingTheFirstSpelling() {
    assertThat(Labels.parse("EU, gpu, eu, Gpu")).containsExactly("EU", "gpu");
  }

  @Test
  void labelMustMatchWholeNotAsPartOfAnother() {
    List<String> eu = Labels.parse("eu");

    assertThat(Labels.carriesAll(backend("neu-1"), eu)).isFalse();
    assertThat(Labels.carriesAll(backend("europe"), eu)).isFalse();
    assertThat(Labels.carriesAll(backend("neu-1", "europe", "eu"), eu)).isTrue();
  }

  @Test
  void labelsMatchIgnoringCase() {
    assertThat(Labels.carriesAll(backend("eu"), Labels.parse("EU"))).isTrue();
    assertThat(Labels.carriesAll(backend("Gpu"), Labels.parse("gPU"))).isTrue();
  }

  @Test
  void everyRequestedLabelIsRequired() {
    List<String> wanted = Labels.parse("eu, gpu");

    assertThat(Labels.carriesAll(backend("eu", "gpu", "fast"), wanted)).isTrue();
    assertThat(Labels.carriesAll(backend("eu"), wanted)).isFalse();
    assertThat(Labels.carriesAll(backend("gpu"), wanted)).isFalse();
  }

  @Test
  void emptyHeaderAdmitsEveryBackendEvenOneWithoutLabels() {
    List<String> none = Labels.parse("");

    assertThat(Labels.carriesAll(backend(), none)).isTrue();
    assertThat(Labels.carriesAll(backend("eu"), none)).isTrue();
  }
}
