package io.ollamaflow.core.internal.proxy;

import io.ollamaflow.api.BackendView;
import io.ollamaflow.api.Frontend;
import io.ollamaflow.api.LoadBalancerProvider;
import io.ollamaflow.core.LoadBalancers;
import io.ollamaflow.core.internal.models.ModelDemand;
import io.ollamaflow.core.internal.routing.BackendState;
import io.ollamaflow.core.internal.routing.FrontendSnapshot;
import io.ollamaflow.core.internal.routing.LoadBalancerPickBenchmark;
import io.ollamaflow.core.internal.routing.ApiEndpoint;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * {@link Selector#pick}: a frontend's balancer asked through the proxy's own call, which
 * guards the policy and checks that its answer is one of the 8 candidates (those of
 * {@link LoadBalancerPickBenchmark}). The difference to that benchmark is the selector's overhead.
 * Run with {@code bash bench/jmh.sh SelectorPick}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
public class SelectorPickBenchmark {
  @Param({Frontend.ROUND_ROBIN, Frontend.RANDOM, Frontend.LEAST_REQUESTS, Frontend.MODEL_AFFINITY})
  public String policy;

  private OkHttpClient client;
  private FrontendSnapshot snapshot;
  private List<BackendView> candidates;
  private RequestState request;

  @Setup
  public void setUp() {
    LoadBalancerProvider provider = provider(policy);
    candidates = LoadBalancerPickBenchmark.candidates();
    List<BackendState> members = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    for (BackendView candidate : candidates) {
      members.add((BackendState) candidate);
      ids.add(candidate.backend().identifier());
    }
    Frontend frontend = Frontend.builder("fe").loadBalancing(policy).backends(ids).build();
    client = new OkHttpClient();
    snapshot = new FrontendSnapshot(frontend, members, provider.newLoadBalancer(frontend), provider.name(), client);
    // The built-in balancers read nothing of the request, so it needs no exchange behind it.
    request = new RequestState(null, List.of(), new ModelDemand());
    request.endpoint(ApiEndpoint.CHAT);
    request.frontendSnapshot(snapshot);
    request.model("llama3.1:8b");
  }

  private static LoadBalancerProvider provider(String policy) {
    switch (policy) {
      case Frontend.ROUND_ROBIN: return LoadBalancers.roundRobin();
      case Frontend.RANDOM: return LoadBalancers.random();
      case Frontend.LEAST_REQUESTS: return LoadBalancers.leastRequests();
      case Frontend.MODEL_AFFINITY: return LoadBalancers.modelAffinity();
      default: throw new IllegalArgumentException("unknown policy " + policy);
    }
  }

  @TearDown
  public void tearDown() {
    client.dispatcher().executorService().shutdown();
    client.connectionPool().evictAll();
  }

  @Benchmark
  public BackendState pick() {
    return Selector.pick(snapshot, candidates, request);
  }
}
