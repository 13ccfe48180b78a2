package io.ollamaflow.examples.sim;

import static io.ollamaflow.examples.sim.SimHttp.eventually;
import static io.ollamaflow.examples.sim.SimHttp.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Parallel slots: a loaded model runs a fixed number of requests at once and the rest wait inside
 * the server, first come first served, also while a cold model waits for a busy one to be evicted.
 * The order of events is pinned by waiting for the server's counters, not by timing.
 */
class SimulatedOllamaSlotsTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  private SimulatedOllama sim;
  private SimHttp http;
  private final List<String> finished = Collections.synchronizedList(new ArrayList<>());

  @AfterEach
  void stop() {
    if (sim != null) {
      sim.close();
    }
  }

  private void start(SimulatedOllama.Builder builder) throws Exception {
    sim = builder.id("sim-s").models(List.of("llama3", "qwen2.5:7b")).loadedModels(List.of("llama3"))
        .coldLoadDelay(Duration.ZERO).start();
    http = new SimHttp(sim);
  }

  /** Sends a non-streaming generate; its name goes into {@link #finished} when it is answered. */
  private CompletableFuture<HttpResponse<String>> send(String name, String model) {
    String body = "{\"model\":\"" + model + "\",\"prompt\":\"" + name + "\",\"stream\":false}";
    return http.postAsync("/api/generate", body).whenComplete((response, error) -> finished.add(name));
  }

  private List<String> ps() {
    List<String> names = new ArrayList<>();
    json(http.get("/api/ps")).path("models").forEach(m -> names.add(m.path("name").asText()));
    return names;
  }

  @Test
  void twoSlotsRunTwoRequestsAndTheRestWaitInsideTheServer() throws Exception {
    start(SimulatedOllama.builder().parallel(2).tokens(4).tokenDelay(Duration.ofMillis(250)));
    List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      calls.add(send("r" + i, "llama3"));
      int sent = i + 1;
      // One at a time, so that the high-water mark counts waits for a slot only.
      assertThat(eventually(WAIT, () -> sim.runningRequests() + sim.queuedRequests() == sent)).isTrue();
    }

    assertThat(sim.queuedRequests()).as("three wait").isEqualTo(3);
    assertThat(sim.runningRequests()).isEqualTo(2);
    calls.forEach(call -> assertThat(call.join().statusCode()).isEqualTo(200));

    assertThat(sim.maxQueuedRequests()).isEqualTo(3);
    assertThat(sim.queuedRequests()).isZero();
    assertThat(eventually(WAIT, () -> sim.runningRequests() == 0)).isTrue();
  }

  @Test
  void waitingRequestsAreServedInArrivalOrder() throws Exception {
    start(SimulatedOllama.builder().parallel(1).tokens(2).tokenDelay(Duration.ofMillis(100)));
    CompletableFuture<HttpResponse<String>> first = send("first", "llama3");
    assertThat(eventually(WAIT, () -> sim.runningRequests() == 1)).isTrue();
    CompletableFuture<HttpResponse<String>> second = send("second", "llama3");
    assertThat(eventually(WAIT, () -> sim.queuedRequests() == 1)).isTrue();
    CompletableFuture<HttpResponse<String>> third = send("third", "llama3");
    assertThat(eventually(WAIT, () -> sim.queuedRequests() == 2)).isTrue();

    CompletableFuture.allOf(first, second, third).join();

    assertThat(finished).containsExactly("first", "second", "third");
    assertThat(sim.maxQueuedRequests()).isEqualTo(2);
  }

  @Test
  void coldModelWaitsForTheBusyResidentModelToFinishBeforeEvictingIt() throws Exception {
    start(SimulatedOllama.builder().residentModels(1).parallel(1).tokens(3).tokenDelay(Duration.ofMillis(100)));
    CompletableFuture<HttpResponse<String>> busy = send("busy", "llama3");
    assertThat(eventually(WAIT, () -> sim.runningRequests() == 1)).isTrue();

    CompletableFuture<HttpResponse<String>> cold = send("cold", "qwen2.5:7b");
    assertThat(eventually(WAIT, () -> sim.queuedRequests() == 1)).isTrue();
    assertThat(ps()).as("not evicted while it answers").containsExactly("llama3:latest");

    assertThat(cold.join().statusCode()).isEqualTo(200);
    assertThat(busy.join().statusCode()).isEqualTo(200);
    assertThat(finished).containsExactly("busy", "cold");
    assertThat(ps()).containsExactly("qwen2.5:7b");
    assertThat(sim.coldLoads()).isEqualTo(1);
  }

  @Test
  void eachLoadedModelHasSlotsOfItsOwn() throws Exception {
    start(SimulatedOllama.builder().parallel(1).tokens(4).tokenDelay(Duration.ofMillis(150)));
    CompletableFuture<HttpResponse<String>> a = send("a", "llama3");
    CompletableFuture<HttpResponse<String>> b = send("b", "qwen2.5:7b");

    assertThat(eventually(WAIT, () -> sim.runningRequests() == 2)).as("one per model").isTrue();
    assertThat(sim.queuedRequests()).isZero();
    CompletableFuture.allOf(a, b).join();
  }
}
