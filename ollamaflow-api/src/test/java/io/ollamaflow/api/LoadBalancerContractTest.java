package io.ollamaflow.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link LoadBalancerProvider} and its {@link LoadBalancer}s must have. A
 * policy's own test extends this class and implements {@link #provider()}; published in the api
 * test-jar for third-party policies. It checks only what {@link LoadBalancer#pick} promises (an
 * element of the candidates, the list untouched, safe under concurrency), not how the choice is made.
 */
public abstract class LoadBalancerContractTest {
  private static final int PICKS = 1_000;

  /** The provider under test; may return the same instance on every call. */
  protected abstract LoadBalancerProvider provider();

  private LoadBalancer newBalancer() {
    return provider().newLoadBalancer(frontend("fe"));
  }

  private Frontend frontend(String id) {
    return Frontend.builder(id).loadBalancing(provider().name()).build();
  }

  private PickContext context() {
    return new FakePickContext(frontend("fe"));
  }

  private static List<BackendView> candidates(int count) {
    return List.copyOf(FakeBackendView.views(count));
  }

  /** Identity, not equals: core rejects a view that is equal to a candidate but not one of them. */
  private static void assertIsCandidate(BackendView picked, List<BackendView> candidates) {
    assertThat(candidates).as("candidates of pick %s", picked).anyMatch(c -> c == picked);
  }

  @Test
  void nameIsLowerCaseAndNotBlank() {
    String name = provider().name();

    assertThat(name).isNotBlank().isEqualTo(name.toLowerCase(Locale.ROOT));
  }

  @Test
  void alwaysReturnsOneOfTheCandidates() {
    LoadBalancer balancer = newBalancer();
    PickContext context = context();
    for (int size = 1; size <= 5; size++) {
      List<BackendView> candidates = candidates(size);
      for (int i = 0; i < PICKS; i++) {
        assertIsCandidate(balancer.pick(candidates, context), candidates);
      }
    }
  }

  @Test
  void singleCandidateIsAlwaysReturned() {
    LoadBalancer balancer = newBalancer();
    PickContext context = context();
    List<BackendView> candidates = candidates(1);

    for (int i = 0; i < PICKS; i++) {
      assertThat(balancer.pick(candidates, context)).isSameAs(candidates.get(0));
    }
  }

  @Test
  void neverModifiesTheCandidates() {
    LoadBalancer balancer = newBalancer();
    PickContext context = context();
    // An unmodifiable list makes any write attempt throw; a mutable one catches writes that succeed.
    List<BackendView> unmodifiable = candidates(4);
    List<BackendView> mutable = new ArrayList<>(unmodifiable);
    List<FakeBackendView> loaded = FakeBackendView.views(4);
    for (int i = 0; i < loaded.size(); i++) loaded.get(i).activeRequests(loaded.size() - i);
    List<BackendView> mutableLoaded = new ArrayList<>(loaded);

    for (int i = 0; i < PICKS; i++) {
      balancer.pick(unmodifiable, context);
      balancer.pick(mutable, context);
      balancer.pick(mutableLoaded, context);
    }

    assertThat(mutable).containsExactlyElementsOf(unmodifiable);
    assertThat(mutableLoaded).containsExactlyElementsOf(loaded);
  }

  @Test
  void concurrentPicksFromEightThreadsAlwaysReturnCandidates() throws Exception {
    LoadBalancer balancer = newBalancer();
    PickContext context = context();
    List<FakeBackendView> views = FakeBackendView.views(5);
    List<BackendView> candidates = List.copyOf(views);
    int threads = 8;
    int perThread = 10_000;
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        futures.add(pool.submit(() -> {
          start.await();
          for (int i = 0; i < perThread; i++) {
            // Loads change under the balancer, as they do when requests start and end.
            views.get((thread + i) % views.size()).activeRequests(i % 7);
            assertIsCandidate(balancer.pick(candidates, context), candidates);
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : futures) f.get(60, TimeUnit.SECONDS);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void toleratesCandidateListsOfDifferentSizesBetweenCalls() {
    LoadBalancer balancer = newBalancer();
    PickContext context = context();
    List<BackendView> five = candidates(5);
    List<List<BackendView>> lists = List.of(five.subList(0, 3), five.subList(0, 1), five, five.subList(2, 4),
        candidates(1), candidates(3));

    for (int round = 0; round < 50; round++) {
      for (List<BackendView> candidates : lists) {
        assertIsCandidate(balancer.pick(candidates, context), candidates);
      }
    }
  }

  @Test
  void everyNewLoadBalancerIsUsable() {
    List<BackendView> candidates = candidates(3);
    for (String id : List.of("a", "b", "a")) {
      Frontend frontend = frontend(id);
      LoadBalancer balancer = provider().newLoadBalancer(frontend);

      assertThat(balancer).isNotNull();
      assertIsCandidate(balancer.pick(candidates, new FakePickContext(frontend)), candidates);
    }
  }
}
