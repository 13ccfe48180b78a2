package io.ollamaflow.examples;

import io.ollamaflow.api.Backend;
import io.ollamaflow.api.FlowEventListener;
import io.ollamaflow.api.Frontend;
import io.ollamaflow.api.RequestInfo;
import io.ollamaflow.core.FlowCluster;
import io.ollamaflow.core.InMemoryConfigStore;
import io.ollamaflow.core.inprocess.GenerateRequest;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Example 4: a frontend names the plug-in policy {@code least-utilization}
 * ({@link LeastUtilizationBalancer}), registered on the cluster's builder.
 * The first backend has 6 slots and the second 2; 8 concurrent requests then spread about 6 to 2
 * (least-requests would split them 4 to 4). The listener prints which policy chose each backend.
 *
 * <pre>
 * java -cp ollamaflow-examples/target/ollamaflow-server.jar io.ollamaflow.examples.CustomBalancerExample [ollama-url...]
 * </pre>
 */
public final class CustomBalancerExample {
  private CustomBalancerExample() {}

  public static void main(String[] args) throws Exception {
    run(List.of(args), System.out);
  }

  /** Sends 8 requests at once; returns how many each backend served, and by which policy. */
  static Map<String, Integer> run(List<String> backendUrls, PrintStream out) throws Exception {
    InMemoryConfigStore store = new InMemoryConfigStore();
    try (ExampleBackends backends = ExampleBackends.start(store, backendUrls)) {
      List<String> ids = backends.ids();
      for (int i = 0; i < ids.size(); i++) {
        Backend backend = store.backend(ids.get(i)).orElseThrow();
        store.putBackend(backend.toBuilder().maxParallelRequests(i == 0 ? 6 : 2).build());
      }
      store.putFrontend(Frontend.builder("main").backends(ids).loadBalancing(LeastUtilizationBalancer.NAME).build());
      Map<String, Integer> served = new ConcurrentHashMap<>();
      FlowEventListener listener = new FlowEventListener() {
        @Override
        public void backendSelected(RequestInfo request, String reason) {
          served.merge(request.backendId() + " by " + reason, 1, Integer::sum);
        }
      };
      try (FlowCluster cluster = FlowCluster.builder().configStore(store)
          .loadBalancer(new LeastUtilizationBalancer()).eventListener(listener).build()) {
        ExecutorService clients = Executors.newFixedThreadPool(8);
        try {
          List<Future<?>> calls = new ArrayList<>();
          for (int i = 0; i < 8; i++) {
            calls.add(clients.submit(() -> {
              cluster.generate(GenerateRequest.of(ExampleBackends.MODEL, "Count to five."));
            }));
          }
          for (Future<?> call : calls) call.get();
        } finally {
          clients.shutdownNow();
        }
        Map<String, Integer> sorted = new TreeMap<>(served);
        sorted.forEach((who, count) -> out.println(who + ": " + count + " requests"));
        return sorted;
      }
    }
  }
}
