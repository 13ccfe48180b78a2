package io.ollamaflow.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.ollamaflow.api.Backend;
import io.ollamaflow.api.ConfigStore;
import io.ollamaflow.api.Frontend;
import io.ollamaflow.core.testing.FakeOllama;
import io.ollamaflow.core.testing.ScenarioHarness;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every configuration write of a cluster takes one path: the RequiredModels edit a pull makes and
 * an admin edit cannot interleave, so the background edit can no longer undo an admin edit that
 * landed between its read and its write.
 */
class ConfigWriteScenarioTest {
  private final ScenarioHarness harness = new ScenarioHarness();

  @AfterEach
  void close() {
    harness.close();
  }

  @Test
  void anAdminEditMadeWhileAPullEditsRequiredModelsIsNotLost() throws Exception {
    AtomicBoolean raced = new AtomicBoolean();
    AtomicBoolean adminLandedInsideTheEdit = new AtomicBoolean();
    CompletableFuture<Frontend> adminEdit = new CompletableFuture<>();
    // When the pull's edit reads the frontend, an admin edit of the same frontend starts and gets
    // half a second to land between that read and the edit's write, as it could before.
    ConfigStore racing = new DelegatingStore(harness.store) {
      @Override
      public Optional<Frontend> frontend(String identifier) {
        Optional<Frontend> read = super.frontend(identifier);
        if (Thread.currentThread().getName().startsWith("ollamaflow-config-writer") && raced.compareAndSet(false, true)) {
          CompletableFuture.runAsync(() -> adminEdit.complete(harness.cluster().admin()
              .updateFrontend(read.orElseThrow().toBuilder().timeoutMs(12_345).build())));
          try {
            adminEdit.get(500, TimeUnit.MILLISECONDS);
            adminLandedInsideTheEdit.set(true);
          } catch (Exception waitedLongEnough) {
            // The admin edit waits for this write to finish.
          }
        }
        return read;
      }
    };
    harness.start(b -> b.configStore(racing).disableActiveHealthChecks());
    harness.configure(Frontend.builder("f1"),
        ScenarioHarness.backendFor("a", harness.backend(new FakeOllama("a", "llama3"))).build());

    try (Response pull = harness.post("/api/pull", "{\"model\":\"phi3\",\"stream\":false}")) {
      assertThat(pull.code()).isEqualTo(200);
    }

    Frontend adminWrote = adminEdit.get(10, TimeUnit.SECONDS);
    assertThat(raced).as("the pull edited RequiredModels through the config writer").isTrue();
    assertThat(adminLandedInsideTheEdit).as("the admin edit waited for the pull's edit").isFalse();
    Frontend stored = harness.store.frontend("f1").orElseThrow();
    assertThat(stored.timeoutMs()).as("the admin edit is not undone").isEqualTo(12_345);
    assertThat(stored).isEqualTo(adminWrote);
  }

  /** A store that forwards every call; tests override what they watch. */
  private static class DelegatingStore implements ConfigStore {
    private final ConfigStore delegate;

    DelegatingStore(ConfigStore delegate) {
      this.delegate = delegate;
    }

    @Override public List<Frontend> frontends() { return delegate.frontends(); }
    @Override public Optional<Frontend> frontend(String identifier) { return delegate.frontend(identifier); }
    @Override public void putFrontend(Frontend frontend) { delegate.putFrontend(frontend); }
    @Override public boolean removeFrontend(String identifier) { return delegate.removeFrontend(identifier); }
    @Override public List<Backend> backends() { return delegate.backends(); }
    @Override public Optional<Backend> backend(String identifier) { return delegate.backend(identifier); }
    @Override public void putBackend(Backend backend) { delegate.putBackend(backend); }
    @Override public boolean removeBackend(String identifier) { return delegate.removeBackend(identifier); }
    @Override public long revision() { return delegate.revision(); }
    @Override public void close() { delegate.close(); }
  }
}
