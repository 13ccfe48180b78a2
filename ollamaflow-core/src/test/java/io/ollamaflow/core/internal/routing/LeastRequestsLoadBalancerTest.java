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
  private static final int PICKS = 30_000;

  private static final PickContext CONTEXT =
      new FakePickContext(Frontend.builder("fe").loadBalancing(Frontend.LEAST_REQUESTS).build());

  private static Map<BackendView, Integer> countPicks(List<BackendView> candidates) {
    Map<BackendView, Integer> counts = new IdentityHashMap<>();
    for (BackendView candidate : candidates) counts.put(candidate, 0);
    for (int i = 0; i < PICKS; i++) {
      counts.merge(LeastRequestsLoadBalancer.INSTANCE.pick(candidates, CONTEXT), 1, Integer::sum);
    }
    return counts;
  }

  @Test
  void isRegisteredUnderItsName() {
    LoadBalancerRegistry registry = new LoadBalancerRegistry(List.of(), getClass().getClassLoader());

    assertThat(registry.find(Frontend.LEAST_REQUESTS)).isSameAs(LoadBalancers.leastRequests());
    assertThat(LoadBalancers.leastRequests().newLoadBalancer(CONTEXT.frontend()))
        .isSameAs(LeastRequestsLoadBalancer.INSTANCE);
  }

  @Test
  void ofTwoCandidatesAlwaysPicksTheLessLoaded() {
    List<FakeBackendView> views = FakeBackendView.views(2);
    views.get(0).activeRequests(5);
    List<BackendView> candidates = List.copyOf(views);

    Map<BackendView, Integer> counts = countPicks(candidates);

    assertThat(counts.get(views.get(1))).as("picks %s", counts).isEqualTo(PICKS);
  }

  @Test
  void neverPicksTheLoadedOneWhileTwoOthersAreIdle() {
    // The two samples are distinct, so at least one of them is idle and beats the loaded backend.
    List<FakeBackendView> views = FakeBackendView.views(3);
    views.get(2).activeRequests(100);
    List<BackendView> candidates = List.copyOf(views);

    Map<BackendView, Integer> counts = countPicks(candidates);

    assertThat(counts.get(views.get(2))).as("picks %s", counts).isZero();
  }

  @Test
  void spreadsRoughlyEvenlyAmongEquallyLoadedCandidates() {
    List<BackendView> candidates = List.copyOf(FakeBackendView.views(3));

    Map<BackendView, Integer> counts = countPicks(candidates);

    // A fair share is a third; at 30k picks one standard deviation is under 0.3%, so the bounds hold by far.
    assertThat(counts.values()).as("picks %s", counts)
        .allSatisfy(n -> assertThat(n).isBetween(PICKS * 25 / 100, PICKS * 42 / 100));
  }
}
