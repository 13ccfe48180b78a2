package io.ollamaflow.core.internal.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.ollamaflow.api.BackendView;
import io.ollamaflow.api.FakeBackendView;
import io.ollamaflow.api.FakePickContext;
import io.ollamaflow.api.Frontend;
import io.ollamaflow.api.PickContext;
import io.ollamaflow.core.LoadBalancers;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LeastRequestsLoadBalancerTest {
  private static final PickContext CONTEXT =
      new FakePickContext(Frontend.builder("fe").loadBalancing(Frontend.LEAST_REQUESTS).build());

  private static Map<BackendView, Integer> countPicks(List<BackendView> candidates, int picks) {
    LeastRequestsLoadBalancer balancer = new LeastRequestsLoadBalancer();
    Map<BackendView, Integer> counts = new IdentityHashMap<>();
    for (BackendView candidate : candidates) counts.put(candidate, 0);
    for (int i = 0; i < picks; i++) counts.merge(balancer.pick(candidates, CONTEXT), 1, Integer::sum);
    return counts;
  }

  @Test
  void isRegisteredUnderItsNameWithOneBalancerPerFrontend() {
    LoadBalancerRegistry registry = new LoadBalancerRegistry(List.of(), getClass().getClassLoader());

    assertThat(registry.find(Frontend.LEAST_REQUESTS)).isSameAs(LoadBalancers.leastRequests());
    assertThat(registry.find("LeastRequests")).isNull();
    assertThat(Frontend.builder("fe").loadBalancing("LeastRequests").build().loadBalancing())
        .isEqualTo(Frontend.LEAST_REQUESTS);
    assertThat(LoadBalancers.leastRequests().newLoadBalancer(CONTEXT.frontend()))
        .isInstanceOf(LeastRequestsLoadBalancer.class)
        .isNotSameAs(LoadBalancers.leastRequests().newLoadBalancer(CONTEXT.frontend()));
  }

  @Test
  void alwaysPicksTheLeastLoaded() {
    List<FakeBackendView> views = FakeBackendView.views(3);
    views.get(0).activeRequests(5);
    views.get(2).activeRequests(1);

    Map<BackendView, Integer> counts = countPicks(List.copyOf(views), 100);

    assertThat(counts.get(views.get(1))).as("picks %s", counts).isEqualTo(100);
  }

  @Test
  void countsLoadTheBackendReportsFromElsewhere() {
    List<FakeBackendView> views = FakeBackendView.views(2);
    views.get(0).externalLoad(3);
    views.get(1).activeRequests(2);

    Map<BackendView, Integer> counts = countPicks(List.copyOf(views), 10);

    assertThat(counts.get(views.get(1))).as("picks %s", counts).isEqualTo(10);
  }

  @Test
  void sequentialPicksOverIdleBackendsGoRoundInTurn() {
    List<BackendView> candidates = List.copyOf(FakeBackendView.views(3));

    Map<BackendView, Integer> counts = countPicks(candidates, 30);

    assertThat(counts.values()).containsExactly(10, 10, 10);
  }

  @Test
  void loadIsMeasuredPerUnitOfWeight() {
    FakeBackendView big = new FakeBackendView("big", 4).activeRequests(3);
    FakeBackendView small = new FakeBackendView("small", 1).activeRequests(1);

    Map<BackendView, Integer> counts = countPicks(List.of(big, small), 10);

    assertThat(counts.get(big)).as("3/4 < 1/1: picks %s", counts).isEqualTo(10);
  }
}
