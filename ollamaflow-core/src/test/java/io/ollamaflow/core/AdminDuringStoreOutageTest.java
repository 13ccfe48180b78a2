package io.ollamaflow.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.ollamaflow.api.Backend;
import io.ollamaflow.api.ConfigStore;
import io.ollamaflow.api.Frontend;
import io.ollamaflow.api.StoreUnavailableException;
import io.ollamaflow.core.testing.ScenarioHarness;
import java.util.List;
import java.util.Optional;
import mockwebserver3.MockWebServer;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The admin API while its store's database is unreachable: 503 with Retry-After naming the
 * database, nothing stored, and requests still routed; writes succeed again once it is back.
 */
class AdminDuringStoreOutageTest {
  private static final String TOKEN = "admin-token";
  private final ScenarioHarness harness = new ScenarioHarness();
  private final Outage store = new Outage(harness.store);

  @AfterEach
  void stop() {
    harness.close();
  }

  @Test
  void aWriteWhileTheDatabaseIsUnreachableAnswers503NamingItAndRoutingGoesOn() throws Exception {
    harness.start(b -> b.configStore(store).disableActiveHealthChecks().adminBearerTokens(List.of(TOKEN)));
    MockWebServer backend = harness.backend("{\"done\":true}");
    harness.configure(Frontend.builder("f1"), ScenarioHarness.backendFor("b1", backend).build());

    store.down = true;
    try (Response refused = admin("PUT", "/v1.0/backends", "{\"Identifier\":\"b2\",\"Hostname\":\"127.0.0.1\"}")) {
      assertThat(refused.code()).isEqualTo(503);
      assertThat(refused.header("Retry-After")).isEqualTo("5");
      assertThat(refused.body().string()).contains("\"StatusCode\": 503")
          .contains("PostgreSQL: put backend 'b2' on jdbc:postgresql://db.internal:5432/flow failed: Connection refused");
    }
    try (Response routed = harness.post("/api/chat", "{\"model\":\"m\",\"stream\":false}")) {
      assertThat(routed.code()).isEqualTo(200);
    }

    store.down = false;
    try (Response written = admin("PUT", "/v1.0/backends", "{\"Identifier\":\"b2\",\"Hostname\":\"127.0.0.1\"}")) {
      assertThat(written.code()).isEqualTo(201);
    }
    assertThat(harness.store.backend("b2")).isPresent();
  }

  private Response admin(String method, String path, String body) throws Exception {
    return harness.call(new Request.Builder().url(harness.url(path))
        .method(method, RequestBody.create(body, ScenarioHarness.JSON))
        .header("Authorization", "Bearer " + TOKEN));
  }

  /** A store whose writes fail as PostgresConfigStore's do while its database refuses connections. */
  private static final class Outage implements ConfigStore {
    private final ConfigStore stored;
    volatile boolean down;

    Outage(ConfigStore stored) {
      this.stored = stored;
    }

    private void write(String what) {
      if (down) {
        throw new StoreUnavailableException("PostgreSQL: " + what + " on jdbc:postgresql://db.internal:5432/flow"
            + " failed: Connection refused", null);
      }
    }

    @Override public List<Frontend> frontends() { return stored.frontends(); }
    @Override public Optional<Frontend> frontend(String id) { return stored.frontend(id); }
    @Override public void putFrontend(Frontend f) { write("put frontend '" + f.identifier() + "'"); stored.putFrontend(f); }
    @Override public boolean removeFrontend(String id) { write("remove frontend '" + id + "'"); return stored.removeFrontend(id); }
    @Override public List<Backend> backends() { return stored.backends(); }
    @Override public Optional<Backend> backend(String id) { return stored.backend(id); }
    @Override public void putBackend(Backend b) { write("put backend '" + b.identifier() + "'"); stored.putBackend(b); }
    @Override public boolean removeBackend(String id) { write("remove backend '" + id + "'"); return stored.removeBackend(id); }
    @Override public long revision() { return stored.revision(); }
    @Override public void close() {}
  }
}
