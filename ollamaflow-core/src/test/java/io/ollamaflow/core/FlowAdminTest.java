package io.ollamaflow.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ollamaflow.api.Backend;
import io.ollamaflow.api.ErrorCode;
import io.ollamaflow.api.FlowException;
import io.ollamaflow.api.Frontend;
import io.ollamaflow.api.HealthState;
import io.ollamaflow.api.LoadBalancerProvider;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The typed admin API: checks before anything is stored, changes applied before the call returns. */
class FlowAdminTest {
  private final InMemoryConfigStore store = new InMemoryConfigStore();
  private FlowCluster cluster;
  private FlowAdmin admin;

  @BeforeEach
  void startCluster() {
    cluster = FlowCluster.builder()
        .configStore(store)
        .disableActiveHealthChecks()
        .loadBalancer(namedPolicy("sticky-first"))
        .build();
    admin = cluster.admin();
  }

  @AfterEach
  void closeCluster() {
    cluster.close();
  }

  @Test
  void createdBackendIsStoredAndAppliedBeforeTheCallReturns() {
    Backend created = admin.createBackend(Backend.builder("b1").port(8001).build());

    assertThat(created).isEqualTo(store.backend("b1").orElseThrow());
    assertThat(admin.health("b1")).as("the cluster already routes with it")
        .hasValueSatisfying(h -> assertThat(h.backend().port()).isEqualTo(8001));
  }

  @Test
  void createOfAnExistingIdentifierIsAConflictAndKeepsTheStoredObject() {
    admin.createBackend(Backend.builder("b1").port(8001).build());
    admin.createFrontend(Frontend.builder("f1").backends(List.of("b1")).build());
    long revision = store.revision();

    assertFlowError(() -> admin.createBackend(Backend.builder("b1").port(9999).build()), ErrorCode.CONFLICT,
        "a backend with identifier 'b1' already exists");
    assertFlowError(() -> admin.createFrontend(Frontend.builder("f1").build()), ErrorCode.CONFLICT,
        "a frontend with identifier 'f1' already exists");
    assertThat(store.backend("b1").orElseThrow().port()).isEqualTo(8001);
    assertThat(store.revision()).isEqualTo(revision);
  }

  @Test
  void updateAndDeleteOfMissingObjectsAreNotFound() {
    assertFlowError(() -> admin.updateFrontend(Frontend.builder("nope").build()), ErrorCode.NOT_FOUND,
        "no frontend with identifier 'nope'");
    assertFlowError(() -> admin.updateBackend(Backend.builder("nope").build()), ErrorCode.NOT_FOUND,
        "no backend with identifier 'nope'");
    assertFlowError(() -> admin.deleteFrontend("nope"), ErrorCode.NOT_FOUND, "no frontend with identifier 'nope'");
    assertFlowError(() -> admin.deleteBackend("nope"), ErrorCode.NOT_FOUND, "no backend with identifier 'nope'");
    assertThat(store.frontends()).isEmpty();
    assertThat(store.backends()).isEmpty();
  }

  @Test
  void updateReplacesTheWholeObjectKeepsCreatedUtcAndSetsLastUpdateUtcToNow() {
    Instant created = Instant.parse("2025-01-01T00:00:00Z");
    admin.createBackend(Backend.builder("b1").build());
    admin.createBackend(Backend.builder("b2").build());
    admin.createFrontend(Frontend.builder("f1").hostname("a.example").backends(List.of("b1", "b2"))
        .useStickySessions(true).createdUtc(created).build());
    Instant before = Instant.now();

    Frontend updated = admin.updateFrontend(Frontend.builder("f1").backends(List.of("b2"))
        .createdUtc(Instant.parse("2030-01-01T00:00:00Z")).lastUpdateUtc(created).build());

    assertThat(updated.hostname()).as("a field left out reverts to its default").isEqualTo(Frontend.ANY_HOST);
    assertThat(updated.useStickySessions()).isFalse();
    assertThat(updated.backends()).containsExactly("b2");
    assertThat(updated.createdUtc()).isEqualTo(created);
    assertThat(updated.lastUpdateUtc()).isAfterOrEqualTo(before.minusMillis(1));
    assertThat(store.frontend("f1")).contains(updated);
  }

  @Test
  void frontendNamingAnUnknownBackendIsRefusedNamingItAndNothingIsStored() {
    admin.createBackend(Backend.builder("b1").build());
    long revision = store.revision();

    assertFlowError(() -> admin.createFrontend(Frontend.builder("f1").backends(List.of("b1", "ghost")).build()),
        ErrorCode.BAD_REQUEST, "Backends: 'ghost' is not a configured backend");
    assertFlowError(() -> admin.createFrontend(Frontend.builder("f1").backends(List.of("x", "b1", "y")).build()),
        ErrorCode.BAD_REQUEST, "Backends: 'x', 'y' are not configured backends");
    assertThat(store.frontends()).isEmpty();
    assertThat(store.revision()).isEqualTo(revision);
  }

  @Test
  void unknownLoadBalancingPolicyIsRefusedListingTheKnownOnes() {
    assertThatThrownBy(() -> admin.createFrontend(Frontend.builder("f1").loadBalancing("fastest").build()))
        .isInstanceOfSatisfying(FlowException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST))
        .hasMessage("LoadBalancing: \"fastest\" is not a known policy (expected: one of least-requests, model-affinity, random, "
            + "round-robin, sticky-first)");
    assertThat(store.frontends()).isEmpty();

    assertThat(admin.createFrontend(Frontend.builder("f1").loadBalancing("sticky-first").build()).loadBalancing())
        .as("a policy registered on the builder is known").isEqualTo("sticky-first");
  }

  @Test
  void deletingABackendThatFrontendsStillListIsAConflictNamingThem() {
    admin.createBackend(Backend.builder("b1").build());
    admin.createBackend(Backend.builder("b2").build());
    admin.createFrontend(Frontend.builder("zeta").hostname("z.example").backends(List.of("b1")).build());
    admin.createFrontend(Frontend.builder("alpha").hostname("a.example").backends(List.of("b2", "b1")).build());
    admin.createFrontend(Frontend.builder("other").hostname("o.example").backends(List.of("b2")).build());

    assertFlowError(() -> admin.deleteBackend("b1"), ErrorCode.CONFLICT,
        "backend 'b1' is used by frontends 'alpha', 'zeta' (remove it from their Backends first)");
    assertThat(store.backend("b1")).isPresent();

    admin.updateFrontend(store.frontend("zeta").orElseThrow().toBuilder().backends(List.of()).build());
    admin.updateFrontend(store.frontend("alpha").orElseThrow().toBuilder().backends(List.of("b2")).build());
    admin.deleteBackend("b1");
    assertThat(store.backend("b1")).isEmpty();
    assertThat(admin.health("b1")).as("applied before the call returned").isEmpty();
  }

  @Test
  void listsAreNewestFirstThenByIdentifier() {
    Instant t = Instant.parse("2025-01-01T00:00:00Z");
    admin.createBackend(Backend.builder("old").createdUtc(t).build());
    admin.createBackend(Backend.builder("new").createdUtc(t.plusSeconds(60)).build());
    admin.createBackend(Backend.builder("b-same").createdUtc(t.plusSeconds(30)).build());
    admin.createBackend(Backend.builder("a-same").createdUtc(t.plusSeconds(30)).build());
    admin.createFrontend(Frontend.builder("f-old").hostname("o.example").createdUtc(t).build());
    admin.createFrontend(Frontend.builder("f-new").hostname("n.example").createdUtc(t.plusSeconds(1)).build());

    assertThat(admin.backends()).extracting(Backend::identifier).containsExactly("new", "a-same", "b-same", "old");
    assertThat(admin.health()).extracting(h -> h.backend().identifier())
        .containsExactly("new", "a-same", "b-same", "old");
    assertThat(admin.frontends()).extracting(Frontend::identifier).containsExactly("f-new", "f-old");
  }

  @Test
  void updateCarryingTheRedactedPlaceholderKeepsTheStoredSecrets() {
    admin.createBackend(Backend.builder("b1").bearerToken("sk-real")
        .headers(Map.of("Authorization", "Basic cmVhbA==", "X-Api-Key", "key-real", "X-Team", "blue")).build());

    Backend updated = admin.updateBackend(Backend.builder("b1").port(9000).bearerToken("********")
        .headers(Map.of("authorization", "********", "X-Api-Key", "key-new", "X-Team", "********")).build());

    assertThat(updated.port()).isEqualTo(9000);
    assertThat(updated.bearerToken()).isEqualTo("sk-real");
    assertThat(updated.headers()).containsEntry("authorization", "Basic cmVhbA==")
        .as("a new value replaces the secret").containsEntry("X-Api-Key", "key-new")
        .as("every header outside the harmless few is redacted, so the placeholder keeps it").containsEntry("X-Team", "blue");
  }

  @Test
  void placeholderStandingForNoStoredSecretIsRefused() {
    assertFlowError(() -> admin.createBackend(Backend.builder("b1").bearerToken("********").build()),
        ErrorCode.BAD_REQUEST, "BearerToken: \"********\" is the redacted placeholder");
    admin.createBackend(Backend.builder("b1").build());

    assertFlowError(() -> admin.updateBackend(Backend.builder("b1").headers(Map.of("X-Secret", "********")).build()),
        ErrorCode.BAD_REQUEST, "Headers.X-Secret: \"********\" is the redacted placeholder");
    assertThat(store.backend("b1").orElseThrow().headers()).isEmpty();
  }

  @Test
  void healthViewSaysPlainlyWhetherTheBackendIsRoutable() {
    admin.createBackend(Backend.builder("b1").build());

    FlowAdmin.BackendHealth health = admin.health("b1").orElseThrow();

    assertThat(health.health().state()).isEqualTo(HealthState.UNKNOWN);
    assertThat(health.healthy()).as("a backend not yet probed is routable").isTrue();
    assertThat(health.activeRequests()).isZero();
    assertThat(admin.health("nope")).isEmpty();
  }

  @Test
  void clearingSessionsOfAnUnknownFrontendIsNotFound() {
    assertFlowError(() -> admin.clearSessions("nope"), ErrorCode.NOT_FOUND, "no frontend with identifier 'nope'");
    assertThat(admin.clearSessions(null)).isZero();
    assertThat(admin.sessions()).isEmpty();
  }

  @Test
  void concurrentCreatesOfOneIdentifierLetExactlyOneWin() throws Exception {
    int writers = 8;
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<Integer>> results = new ArrayList<>();
      for (int i = 0; i < writers; i++) {
        int port = 8000 + i;
        Callable<Integer> create = () -> {
          start.await();
          try {
            admin.createBackend(Backend.builder("contested").port(port).build());
            return port;
          } catch (FlowException e) {
            assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT);
            return -1;
          }
        };
        results.add(pool.submit(create));
      }
      start.countDown();
      List<Integer> winners = new ArrayList<>();
      for (Future<Integer> result : results) {
        int port = result.get(30, TimeUnit.SECONDS);
        if (port > 0) winners.add(port);
      }
      assertThat(winners).hasSize(1);
      assertThat(store.backend("contested").orElseThrow().port()).isEqualTo(winners.get(0));
    } finally {
      pool.shutdownNow();
    }
  }

  private static void assertFlowError(ThrowingCallable call, ErrorCode code, String messageStart) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(FlowException.class, e -> assertThat(e.code()).isEqualTo(code))
        .hasMessageStartingWith(messageStart);
  }

  private static LoadBalancerProvider namedPolicy(String name) {
    return new LoadBalancerProvider() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public io.ollamaflow.api.LoadBalancer newLoadBalancer(Frontend frontend) {
        return (candidates, context) -> candidates.get(0);
      }
    };
  }
}
