package io.ollamaflow.core.internal.routing;

import io.ollamaflow.api.Backend;
import io.ollamaflow.api.BackendView;
import io.ollamaflow.api.FakePickContext;
import io.ollamaflow.api.Frontend;
import io.ollamaflow.api.LoadBalancer;
import io.ollamaflow.api.PickContext;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The built-in balancers choosing among 8 candidates: real {@link BackendState}s carrying between
 * 0 and 4 requests in flight, balancers made by their providers as {@code ClusterState} makes them.
 * Run with {@code bash bench/jmh.sh LoadBalancerPick}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
public class LoadBalancerPickBenchmark {
  public static final int CANDIDATES = 8;

  private List<BackendView> candidates;
  private PickContext context;
  private LoadBalancer roundRobin;
  private LoadBalancer random;
  private LoadBalancer leastRequests;

  @Setup
  public void setUp() {
    candidates = candidates();
    Frontend frontend = Frontend.builder("fe").build();
    context = new FakePickContext(frontend);
    roundRobin = BuiltInBalancers.ROUND_ROBIN.newLoadBalancer(frontend);
    random = BuiltInBalancers.RANDOM.newLoadBalancer(frontend);
    leastRequests = BuiltInBalancers.LEAST_REQUESTS.newLoadBalancer(frontend);
  }

  /** {@value #CANDIDATES} backends, the i-th with {@code i % 5} requests in flight. */
  public static List<BackendView> candidates() {
    List<BackendView> views = new ArrayList<>();
    for (int i = 0; i < CANDIDATES; i++) {
      BackendState state = new BackendState(Backend.builder("gpu-" + i).hostname("10.0.0." + (10 + i)).build(),
          Clock.systemUTC());
      for (int active = 0; active < i % 5; active++) {
        if (!state.tryAcquire()) throw new IllegalStateException(state + " has no free slot");
      }
      views.add(state);
    }
    return List.copyOf(views);
  }

  @Benchmark
  public BackendView roundRobin() {
    return roundRobin.pick(candidates, context);
  }

  @Benchmark
  public BackendView random() {
    return random.pick(candidates, context);
  }

  @Benchmark
  public BackendView leastRequests() {
    return leastRequests.pick(candidates, context);
  }
}
