package io.ollamaflow.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.ollamaflow.api.Backend;
import io.ollamaflow.api.BackendView;
import io.ollamaflow.api.Frontend;
import io.ollamaflow.api.HealthStatus;
import io.ollamaflow.api.LoadBalancer;
import io.ollamaflow.api.LoadBalancerProvider;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class LeastUtilizationBalancerTest {
  private final LoadBalancer balancer = new LeastUtilizationBalancer().newLoadBalancer(Frontend.builder("f").build());

  @Test
  void isNotOfferedToEveryClusterOnTheClasspathThroughServiceLoader() {
    // The examples jar is the standalone server's jar: an example must not become one of its policies.
    assertThat(ServiceLoader.load(LoadBalancerProvider.class)).extracting(LoadBalancerProvider::name)
        .doesNotContain(LeastUtilizationBalancer.NAME);
  }

  @Test
  void picksTheBackendWithTheSmallestShareOfItsSlotsInUse() {
    BackendView big = view("big", 8, 3);   // 3/8 in use
    BackendView small = view("small", 2, 1); // 1/2 in use
    assertThat(balancer.pick(List.of(small, big), null)).isSameAs(big);
    assertThat(balancer.pick(List.of(view("big", 8, 5), small), null).backend().identifier()).isEqualTo("small");
  }

  @Test
  void rotatesAmongEquallyUsedBackends() {
    List<BackendView> idle = List.of(view("a", 4, 0), view("b", 4, 0));
    assertThat(List.of(balancer.pick(idle, null), balancer.pick(idle, null)))
        .extracting(v -> v.backend().identifier()).containsExactlyInAnyOrder("a", "b");
  }

  private static BackendView view(String id, int slots, int active) {
    Backend backend = Backend.builder(id).maxParallelRequests(slots).build();
    return new BackendView() {
      @Override public Backend backend() { return backend; }
      @Override public HealthStatus health() { return null; }
      @Override public int activeRequests() { return active; }
    };
  }
}
