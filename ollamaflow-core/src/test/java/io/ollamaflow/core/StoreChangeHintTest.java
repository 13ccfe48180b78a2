package io.ollamaflow.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.ollamaflow.api.Backend;
import io.ollamaflow.api.ConfigStore;
import io.ollamaflow.api.Frontend;
import io.ollamaflow.core.testing.Eventually;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** A store that announces changes ({@link ConfigStore#onChange}) makes the cluster reload at once, not at its next poll. */
class StoreChangeHintTest {
  /** An in-memory store standing for a shared one: writes by "another instance" go around the cluster. */
  private static final class AnnouncingStore implements ConfigStore {
    final InMemoryConfigStore data = new InMemoryConfigStore();
    final List<Runnable> listeners = new CopyOnWriteArrayList<>();

    void announce() {
      listeners.forEach(Runnable::run);
    }

    @Override public List<Frontend> frontends() { return data.frontends(); }
    @Override public Optional<Frontend> frontend(String id) { return data.frontend(id); }
    @Override public void putFrontend(Frontend frontend) { data.putFrontend(frontend); }
    @Override public boolean removeFrontend(String id) { return data.removeFrontend(id); }
    @Override public List<Backend> backends() { return data.backends(); }
    @Override public Optional<Backend> backend(String id) { return data.backend(id); }
    @Override public void putBackend(Backend backend) { data.putBackend(backend); }
    @Override public boolean removeBackend(String id) { return data.removeBackend(id); }
    @Override public long revision() { return data.revision(); }
    @Override public void close() { data.close(); }

    @Override
    public Subscription onChange(Runnable listener) {
      listeners.add(listener);
      return () -> listeners.remove(listener);
    }
  }

  @Test
  void aChangeTheStoreAnnouncesIsAppliedWithoutWaitingForThePoll() throws Exception {
    AnnouncingStore store = new AnnouncingStore();
    store.putBackend(Backend.builder("b1").build());
    // A poll an hour away: only the announcement can bring the new backend in during this test.
    try (FlowCluster cluster = FlowCluster.builder().configStore(store).configPollInterval(Duration.ofHours(1))
        .disableActiveHealthChecks().build()) {
      assertThat(cluster.admin().health()).extracting(h -> h.backend().identifier()).containsExactly("b1");

      store.data.putBackend(Backend.builder("b2").build());
      store.announce();

      Eventually.until(Duration.ofSeconds(5), "b2 is applied", () -> cluster.admin().health("b2").isPresent());
    }
  }

  @Test
  void closingTheClusterEndsItsSubscription() {
    AnnouncingStore store = new AnnouncingStore();
    FlowCluster cluster = FlowCluster.builder().configStore(store).disableActiveHealthChecks().build();
    assertThat(store.listeners).hasSize(1);
    cluster.close();
    assertThat(store.listeners).isEmpty();
  }
}
