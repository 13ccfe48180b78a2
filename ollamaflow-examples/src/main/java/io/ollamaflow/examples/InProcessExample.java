package io.ollamaflow.examples;

import io.ollamaflow.api.Frontend;
import io.ollamaflow.core.FlowCluster;
import io.ollamaflow.core.InMemoryConfigStore;
import io.ollamaflow.core.inprocess.ChatRequest;
import io.ollamaflow.core.inprocess.ChatResponse;
import io.ollamaflow.core.inprocess.FlowStream;
import io.ollamaflow.core.inprocess.ModelInfo;
import java.io.IOException;
import java.io.PrintStream;
import java.util.List;

/**
 * Example 3: application code calls the cluster directly, with no HTTP server in front of it, and
 * prints the answer's tokens as they arrive. The call is routed like an HTTP request (model-aware
 * choice, balancer, health, retries), so two runs may be answered by different backends.
 *
 * <pre>
 * java -cp ollamaflow-examples/target/ollamaflow-server.jar io.ollamaflow.examples.InProcessExample [ollama-url...]
 * </pre>
 */
public final class InProcessExample {
  private InProcessExample() {}

  public static void main(String[] args) throws IOException {
    run(List.of(args), System.out);
  }

  /** Streams one chat answer to {@code out}; returns the backend that answered. */
  static String run(List<String> backendUrls, PrintStream out) throws IOException {
    InMemoryConfigStore store = new InMemoryConfigStore();
    try (ExampleBackends backends = ExampleBackends.start(store, backendUrls)) {
      store.putFrontend(Frontend.builder("main").backends(backends.ids()).build());
      try (FlowCluster cluster = FlowCluster.builder().configStore(store).build()) {
        out.println("models: " + cluster.models().stream().map(ModelInfo::name).toList());
        ChatRequest request = ChatRequest.builder(ExampleBackends.MODEL)
            .system("Answer in one sentence.")
            .user("Why is the sky blue?")
            .option("temperature", 0.2)
            .build();
        try (FlowStream<ChatResponse> stream = cluster.chatStream(request)) {
          out.print("[" + stream.backendId() + "] ");
          for (ChatResponse chunk : stream) {
            out.print(chunk.content());
            out.flush();
          }
          out.println();
          return stream.backendId();
        }
      }
    }
  }
}
