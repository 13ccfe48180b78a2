package io.ollamaflow.core.internal.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.ollamaflow.api.BackendView;
import io.ollamaflow.api.FakeBackendView;
import io.ollamaflow.api.FakePickContext;
import io.ollamaflow.api.Frontend;
import io.ollamaflow.core.LoadBalancers;
import java.time.Duration;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModelAffinityLoadBalancerTest {
  private static final Frontend FRONTEND = Frontend.builder("fe").loadBalancing("ModelAffinity").build();

  private final ModelAffinityLoadBalancer balancer = new ModelAffinityLoadBalancer();

  private static FakePickContext asking(String model) {
    return new FakePickContext(FRONTEND, model);
  }

  @Test
  void isRegisteredUnderItsNameAndOllamaFlowStyleName() {
    LoadBalancerRegistry registry = new LoadBalancerRegistry(List.of(), getClass().getClassLoader());

    assertThat(FRONTEND.loadBalancing()).isEqualTo(Frontend.MODEL_AFFINITY);
    assertThat(registry.find(Frontend.MODEL_AFFINITY)).isSameAs(LoadBalancers.modelAffinity());
    assertThat(balancer.choosesAmongBusyBackends()).isTrue();
  }

  @Test
  void servesFromTheBackendHoldingTheModelInMemory() {
    List<FakeBackendView> views = FakeBackendView.views(3);
    views.get(1).loaded("qwen:7b");
    views.get(2).loaded("llama3:latest");

    for (int i = 0; i < 10; i++) {
      assertThat(balancer.pick(List.copyOf(views), asking("llama3"))).isSameAs(views.get(2));
    }
  }

  @Test
  void waitsForABusyWarmBackendWhileThatIsQuickerThanALoad() {
    FakeBackendView warm = new FakeBackendView("warm").loaded("llama3:latest").concurrencyLimit(2).activeRequests(3)
        .serviceTime(Duration.ofMillis(200));
    FakeBackendView cold = new FakeBackendView("cold").loadTime(Duration.ofMillis(500));

    // Two requests ahead beyond the limit of two: about 200 ms of waiting, against 500 ms of loading.
    assertThat(balancer.pick(List.of(warm, cold), asking("llama3"))).isSameAs(warm);
  }

  @Test
  void spreadsAHotModelToAnotherBackendOnceItsQueueCostsMoreThanALoad() {
    FakeBackendView warm = new FakeBackendView("warm").loaded("llama3:latest").concurrencyLimit(2).activeRequests(8)
        .serviceTime(Duration.ofMillis(200));
    FakeBackendView cold = new FakeBackendView("cold").loadTime(Duration.ofMillis(500));

    // Seven requests ahead beyond the limit: 700 ms of waiting, more than a 500 ms load.
    assertThat(balancer.pick(List.of(warm, cold), asking("llama3"))).isSameAs(cold);
  }

  @Test
  void placesAnUnavoidableLoadWhereItEvictsTheLeastDemandedModel() {
    FakeBackendView holdsHot = new FakeBackendView("hot").loaded("llama3:latest").evicts("llama3:latest");
    FakeBackendView holdsCool = new FakeBackendView("cool").loaded("phi3:latest").evicts("phi3:latest");
    FakePickContext context = asking("mistral").demand("llama3:latest", 40).demand("phi3:latest", 2)
        .demand("mistral:latest", 10);

    for (int i = 0; i < 10; i++) {
      assertThat(balancer.pick(List.of(holdsHot, holdsCool), context)).isSameAs(holdsCool);
    }
  }

  @Test
  void aBackendWithRoomLoadsWithoutEvicting() {
    FakeBackendView full = new FakeBackendView("full").loaded("phi3:latest").evicts("phi3:latest");
    FakeBackendView roomy = new FakeBackendView("roomy").loaded("llama3:latest");
    FakePickContext context = asking("mistral").demand("llama3:latest", 40).demand("phi3:latest", 1);

    assertThat(balancer.pick(List.of(full, roomy), context)).isSameAs(roomy);
  }

  @Test
  void aLoadPrefersNotToWaitForRunningRequests() {
    FakeBackendView busy = new FakeBackendView("busy").loaded("phi3:latest").evicts("phi3:latest").activeRequests(1)
        .serviceTime(Duration.ofMillis(300));
    FakeBackendView idle = new FakeBackendView("idle").loaded("qwen:7b").evicts("qwen:7b");
    FakePickContext context = asking("mistral").demand("phi3:latest", 5).demand("qwen:7b", 5)
        .demand("mistral:latest", 5);

    // Both loads unload a model as much in demand; on the busy one the load first waits 300 ms.
    assertThat(balancer.pick(List.of(busy, idle), context)).isSameAs(idle);
  }

  @Test
  void aLoadIsNotStackedBehindAnotherLoadUnderWay() {
    FakeBackendView loading = new FakeBackendView("loading").loaded("phi3:latest").evicts("phi3:latest")
        .loadingFor(Duration.ofMillis(450));
    FakeBackendView settled = new FakeBackendView("settled").loaded("qwen:7b").evicts("qwen:7b");
    FakePickContext context = asking("mistral").demand("phi3:latest", 2).demand("qwen:7b", 6).demand("mistral:latest", 5);

    // Evicting qwen costs more than evicting phi3 (its share of demand is larger), but less than
    // waiting 450 ms for the load under way to finish before this one can start.
    assertThat(balancer.pick(List.of(loading, settled), context)).isSameAs(settled);
  }

  @Test
  void followersOfALoadUnderWayShareItRatherThanLoadingAgain() {
    FakeBackendView loading = new FakeBackendView("loading").loaded("mistral:latest").loadingFor(Duration.ofMillis(300));
    FakeBackendView other = new FakeBackendView("other").loaded("qwen:7b").evicts("qwen:7b");
    FakePickContext context = asking("mistral").demand("qwen:7b", 1).demand("mistral:latest", 5);

    assertThat(balancer.pick(List.of(loading, other), context)).isSameAs(loading);
  }

  @Test
  void aBackendThatNeverLoadedAModelIsAssumedToLoadAsFastAsItsPeers() {
    FakeBackendView warm = new FakeBackendView("warm").loaded("llama3:latest").concurrencyLimit(2).activeRequests(4)
        .serviceTime(Duration.ofMillis(200)).loadTime(Duration.ofMillis(100));
    FakeBackendView fresh = new FakeBackendView("fresh").loadNotMeasured();

    // Three requests ahead beyond two slots: 300 ms; a load as fast as the warm one's: 100 ms, not the 5 s guess.
    assertThat(balancer.pick(List.of(warm, fresh), asking("llama3"))).isSameAs(fresh);
  }

  @Test
  void requestsAlreadyQueuedForABackendCountAsAheadOfThisOne() {
    FakeBackendView warm = new FakeBackendView("warm").loaded("llama3:latest").concurrencyLimit(2).activeRequests(2)
        .serviceTime(Duration.ofMillis(200));
    FakeBackendView cold = new FakeBackendView("cold").loadTime(Duration.ofMillis(500));
    assertThat(balancer.pick(List.of(warm, cold), asking("llama3"))).as("one ahead: 100 ms").isSameAs(warm);

    warm.queuedRequests(5);

    assertThat(balancer.pick(List.of(warm, cold), asking("llama3"))).as("six ahead: 600 ms").isSameAs(cold);
  }

  @Test
  void aModelHeldOnAnotherBackendTooCostsNothingToEvict() {
    FakeBackendView a = new FakeBackendView("a").loaded("llama3:latest").evicts("llama3:latest");
    FakeBackendView b = new FakeBackendView("b").loaded("llama3:latest").evicts("llama3:latest");
    FakeBackendView c = new FakeBackendView("c").loaded("phi3:latest").evicts("phi3:latest");
    FakePickContext context = asking("mistral").demand("llama3:latest", 40).demand("phi3:latest", 20);

    // llama3 is asked for more, but a load on a or b leaves a copy of it on the other one, while a
    // load on c would evict the only copy of phi3.
    for (int i = 0; i < 10; i++) {
      assertThat(balancer.pick(List.of(a, b, c), context)).isIn(a, b);
    }
  }

  @Test
  void equalEstimatesGoRoundInTurnByWeight() {
    FakeBackendView big = new FakeBackendView("big", 2).loaded("llama3:latest");
    FakeBackendView small = new FakeBackendView("small", 1).loaded("llama3:latest");

    Map<BackendView, Integer> counts = new IdentityHashMap<>();
    for (int i = 0; i < 30; i++) counts.merge(balancer.pick(List.of(big, small), asking("llama3")), 1, Integer::sum);

    assertThat(counts.get(big)).isEqualTo(20);
    assertThat(counts.get(small)).isEqualTo(10);
  }

  @Test
  void loadReportedFromElsewhereCountsAsQueue() {
    FakeBackendView busy = new FakeBackendView("busy").loaded("llama3:latest").concurrencyLimit(2).externalLoad(6);
    FakeBackendView idle = new FakeBackendView("idle").loaded("llama3:latest").concurrencyLimit(2);

    assertThat(balancer.pick(List.of(busy, idle), asking("llama3"))).isSameAs(idle);
  }
}
