package io.ollamaflow.core.internal.models;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BackendModelsTest {
  private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

  private static BackendModels listed(Map<String, Instant> loaded) {
    BackendModels models = new BackendModels();
    models.replace(ModelInventory.of(Map.of("a:latest", "", "b:latest", "", "c:latest", ""), loaded), NOW);
    return models;
  }

  @Test
  void aLoadOnABackendSeenHoldingOneModelUnloadsIt() {
    BackendModels models = listed(Map.of("a:latest", NOW.plusSeconds(60)));

    assertThat(models.residentCapacity()).isEqualTo(1);
    assertThat(models.evictedByLoad(NOW)).contains("a:latest");
    models.markLoading("b:latest", NOW.plusSeconds(300), NOW);

    assertThat(models.inventory().loadedUntil()).containsOnlyKeys("b:latest");
  }

  @Test
  void theLeastRecentlyUsedModelMakesRoomWhenTheBackendIsFull() {
    BackendModels models = listed(Map.of("a:latest", NOW.plusSeconds(60), "b:latest", NOW.plusSeconds(200)));

    assertThat(models.residentCapacity()).isEqualTo(2);
    models.markLoading("c:latest", NOW.plusSeconds(300), NOW);

    assertThat(models.inventory().loadedUntil()).containsOnlyKeys("b:latest", "c:latest");
  }

  @Test
  void aBackendWithRoomUnloadsNothing() {
    BackendModels models = listed(Map.of("a:latest", NOW.plusSeconds(60), "b:latest", NOW.plusSeconds(200)));
    models.replaceLoaded(Map.of("b:latest", NOW.plusSeconds(200)), NOW);

    assertThat(models.evictedByLoad(NOW)).as("seen holding two, holds one").isEmpty();
    models.markLoading("c:latest", NOW.plusSeconds(300), NOW);

    assertThat(models.inventory().loadedUntil()).containsOnlyKeys("b:latest", "c:latest");
  }

  @Test
  void aListingTakenWhileALoadIsUnderWayDoesNotUndoIt() {
    BackendModels models = listed(Map.of("a:latest", NOW.plusSeconds(60)));
    models.markLoading("b:latest", NOW.plusSeconds(300), NOW);

    models.replaceLoaded(Map.of("a:latest", NOW.plusSeconds(60)), NOW.plusSeconds(1));
    assertThat(models.inventory().loadedUntil()).as("still loading").containsOnlyKeys("b:latest");

    models.replaceLoaded(Map.of("b:latest", NOW.plusSeconds(300)), NOW.plusSeconds(2));
    models.replaceLoaded(Map.of("a:latest", NOW.plusSeconds(400)), NOW.plusSeconds(3));
    assertThat(models.inventory().loadedUntil()).as("once listed, listings rule again").containsOnlyKeys("a:latest");
  }

  @Test
  void aLoadNeverListedStopsCountingAfterThirtySeconds() {
    BackendModels models = listed(Map.of("a:latest", NOW.plusSeconds(600)));
    models.markLoading("b:latest", NOW.plusSeconds(300), NOW);

    models.replaceLoaded(Map.of("a:latest", NOW.plusSeconds(600)), NOW.plusSeconds(31));

    assertThat(models.inventory().loadedUntil()).containsOnlyKeys("a:latest");
  }

  @Test
  void anAnswerDoesNotPutBackAModelThatALoadSentSinceUnloaded() {
    BackendModels models = listed(Map.of("a:latest", NOW.plusSeconds(60)));
    models.markLoading("b:latest", NOW.plusSeconds(300), NOW);

    models.markAnswered("a:latest", NOW.plusSeconds(301), NOW.plusSeconds(1));

    assertThat(models.inventory().loadedUntil()).containsOnlyKeys("b:latest");
    assertThat(models.evictedByLoad(NOW.plusSeconds(1))).as("one model in memory, as seen").contains("b:latest");
  }

  @Test
  void anAnswerKeepsAModelStillInMemoryForAnotherKeepAlive() {
    BackendModels models = listed(Map.of("a:latest", NOW.plusSeconds(60)));

    models.markAnswered("a:latest", NOW.plusSeconds(301), NOW.plusSeconds(1));

    assertThat(models.inventory().loadedUntil()).containsExactly(Map.entry("a:latest", NOW.plusSeconds(301)));
  }

  @Test
  void nothingIsEvictedWhileTheModelsAreUnknown() {
    BackendModels models = new BackendModels();

    assertThat(models.evictedByLoad(NOW)).isEmpty();
  }
}
