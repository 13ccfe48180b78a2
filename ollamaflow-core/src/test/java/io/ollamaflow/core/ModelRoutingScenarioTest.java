package io.ollamaflow.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ollamaflow.api.ApiFormat;
import io.ollamaflow.api.Backend;
import io.ollamaflow.api.Frontend;
import io.ollamaflow.api.HealthState;
import io.ollamaflow.core.testing.Eventually;
import io.ollamaflow.core.testing.ScenarioHarness;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Model-aware routing and the aggregated model views (issue 4), end to end through real sockets.
 * Each backend is a {@link FakeOllama}: a hand-written simulation of an Ollama server (or of an
 * OpenAI-format server) that holds a configurable set of models, answers the listing routes
 * from it, names itself in every inference answer, and answers 404 in Ollama's words for a
 * model it does not hold, as Ollama does.
 *
 * <p>The cluster discovers models every 50 ms; tests wait until every backend was listed at
 * least once (two listing rounds seen by the fake backend mean the first one finished) before
 * they assert anything that depends on discovery.
 */
class ModelRoutingScenarioTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String BACKEND_HEADER = "X-OllamaFlow-Backend";
  private static final Duration FAST = Duration.ofMillis(50);
  private static final Duration WAIT = Duration.ofSeconds(10);
  /** Inference routes a fake Ollama serves; {@link #infer} writes a fitting body for each. */
  private static final List<String> INFERENCE_ROUTES = List.of("/api/chat", "/api/generate", "/api/embed",
      "/v1/chat/completions");

  private final ScenarioHarness harness = new ScenarioHarness();

  @AfterEach
  void close() {
    harness.close();
  }

  // ---- routing by model ----

  @Test
  void aRequestForAModelGoesOnlyToBackendsThatHaveIt() throws Exception {
    startFast();
    // Nothing is loaded anywhere, so only the installed models can steer the choice.
    FakeOllama a = new FakeOllama("a").installed("m1:latest", "shared:latest");
    FakeOllama b = new FakeOllama("b").installed("m2:latest", "shared:latest");
    FakeOllama c = new FakeOllama("c").installed("m3:latest", "m1:latest");
    configure(Frontend.builder("f1"), a, b, c);
    awaitDiscovery(a, b, c);

    Map<String, Set<String>> holders = new LinkedHashMap<>();
    holders.put("m1", Set.of("a", "c"));
    holders.put("m2", Set.of("b"));
    holders.put("m3", Set.of("c"));
    holders.put("shared", Set.of("a", "b"));
    Map<String, Set<String>> servedBy = new LinkedHashMap<>();
    for (int i = 0; i < 20; i++) {
      // Models interleaved, so that the balancer's rotation would reach every backend for each of them.
      for (Map.Entry<String, Set<String>> model : holders.entrySet()) {
        String route = INFERENCE_ROUTES.get(i % INFERENCE_ROUTES.size());
        Answer answer = infer(route, model.getKey());
        assertThat(answer.code).as("%s %s #%d: %s", route, model.getKey(), i, answer.body).isEqualTo(200);
        assertThat(answer.backend).as("%s %s #%d", route, model.getKey(), i).isIn(model.getValue());
        servedBy.computeIfAbsent(model.getKey(), k -> new HashSet<>()).add(answer.backend);
      }
    }
    assertThat(a.inference.get() + b.inference.get() + c.inference.get()).isEqualTo(80);
    assertThat(a.notFound.get() + b.notFound.get() + c.notFound.get()).as("requests for a model the backend lacks").isZero();
    assertThat(a.inference.get()).as("a served").isPositive();
    assertThat(b.inference.get()).as("b served").isPositive();
    assertThat(c.inference.get()).as("c served").isPositive();
  }

  @Test
  void amongBackendsThatAllHoldTheModelInMemoryTheBalancerRotates() throws Exception {
    startFast();
    FakeOllama a = new FakeOllama("a").installed("m1:latest", "shared:latest").loadedAsInstalled();
    FakeOllama b = new FakeOllama("b").installed("m2:latest", "shared:latest").loadedAsInstalled();
    FakeOllama c = new FakeOllama("c").installed("m1:latest").loadedAsInstalled();
    configure(Frontend.builder("f1"), a, b, c);
    awaitDiscovery(a, b, c);

    for (String model : List.of("m1", "shared")) {
      Set<String> servedBy = new HashSet<>();
      for (int i = 0; i < 10; i++) {
        Answer answer = infer("/api/chat", model);
        assertThat(answer.code).as(answer.body).isEqualTo(200);
        servedBy.add(answer.backend);
      }
      assertThat(servedBy).as(model).isEqualTo(model.equals("m1") ? Set.of("a", "c") : Set.of("a", "b"));
    }
  }

  @Test
  void modelNamesAreNormalisedTheWayOllamaDoes() throws Exception {
    startFast();
    FakeOllama llama = new FakeOllama("llama").installed("llama3:latest");
    FakeOllama other = new FakeOllama("other").installed("mistral:7b", "hf.co/User/Repo:Q4_K_M");
    configure(Frontend.builder("f1"), llama, other);
    awaitDiscovery(llama, other);

    for (String name : List.of("llama3", "llama3:latest", "LLAMA3:Latest", "registry.ollama.ai/library/llama3",
        "library/llama3", "Registry.Ollama.AI/Library/LLaMA3:latest")) {
      for (int i = 0; i < 3; i++) {
        Answer answer = infer(INFERENCE_ROUTES.get(i), name);
        assertThat(answer.code).as("%s: %s", name, answer.body).isEqualTo(200);
        assertThat(answer.backend).as(name).isEqualTo("llama");
      }
    }
    Answer tagged = infer("/api/chat", "MISTRAL:7B");
    assertThat(tagged.code).as(tagged.body).isEqualTo(200);
    assertThat(tagged.backend).isEqualTo("other");
    Answer namespaced = infer("/api/chat", "HF.CO/user/repo:q4_k_m");
    assertThat(namespaced.code).as(namespaced.body).isEqualTo(200);
    assertThat(namespaced.backend).isEqualTo("other");

    // "mistral" means mistral:latest, which no backend has: the tag is not ignored.
    Answer untagged = infer("/api/chat", "mistral");
    assertThat(untagged.code).isEqualTo(404);
    assertThat(untagged.body).isEqualTo("{\"error\":\"model 'mistral' not found\"}");
    assertThat(untagged.backend).isNull();
    assertThat(llama.notFound.get() + other.notFound.get()).isZero();
  }

  @Test
  void unknownModelGets404InOllamasShapeOnOllamaRoutesAndInOpenAisShapeOnOpenAiRoutes() throws Exception {
    startFast();
    FakeOllama a = new FakeOllama("a").installed("m1:latest");
    FakeOllama b = new FakeOllama("b").installed("m2:latest");
    configure(Frontend.builder("f1"), a, b);
    awaitDiscovery(a, b);

    for (String route : List.of("/api/chat", "/api/generate", "/api/embed")) {
      Answer answer = infer(route, "nope");
      assertThat(answer.code).as(route).isEqualTo(404);
      assertThat(answer.body).as(route).isEqualTo("{\"error\":\"model 'nope' not found\"}");
      assertThat(answer.backend).as(route).isNull();
    }

    Answer openAi = infer("/v1/chat/completions", "nope");
    assertThat(openAi.code).isEqualTo(404);
    JsonNode error = JSON.readTree(openAi.body).path("error");
    assertThat(error.isObject()).as(openAi.body).isTrue();
    assertThat(error.path("type").asText()).isEqualTo("not_found_error");
    assertThat(error.path("message").asText()).isEqualTo("The model `nope` does not exist.");
    assertThat(openAi.backend).isNull();

    assertThat(a.inference.get() + b.inference.get()).as("inference requests that reached a backend").isZero();
  }

  @Test
  void requiredModelOnNoBackendGets404SayingItIsBeingSynced() throws Exception {
    startFast();
    // The fakes refuse /api/pull, so a sync (if the cluster runs one) never brings the model.
    FakeOllama a = new FakeOllama("a").installed("m1:latest");
    FakeOllama b = new FakeOllama("b").installed("m2:latest");
    configure(Frontend.builder("f1").requiredModels(List.of("mistral")), a, b);
    awaitDiscovery(a, b);

    Answer ollama = infer("/api/chat", "mistral:latest");
    assertThat(ollama.code).as(ollama.body).isEqualTo(404);
    String message = JSON.readTree(ollama.body).path("error").asText();
    assertThat(message).contains("mistral", "RequiredModels", "being synced");

    Answer openAi = infer("/v1/chat/completions", "mistral");
    assertThat(openAi.code).as(openAi.body).isEqualTo(404);
    JsonNode error = JSON.readTree(openAi.body).path("error");
    assertThat(error.path("type").asText()).isEqualTo("not_found_error");
    assertThat(error.path("message").asText()).contains("mistral", "being synced");

    // A model that is not required still gets the plain answer.
    Answer other = infer("/api/chat", "nope");
    assertThat(other.body).isEqualTo("{\"error\":\"model 'nope' not found\"}");
    assertThat(a.inference.get() + b.inference.get()).isZero();
  }

  @Test
  void modelAffinityServesFromTheBackendHoldingTheModelInMemory() throws Exception {
    startFast();
    FakeOllama warm = new FakeOllama("warm").installed("llama3:latest").loaded("llama3:latest");
    FakeOllama cold = new FakeOllama("cold").installed("llama3:latest");
    // The cold one comes first in the frontend's list, so taking turns would pick it first.
    configure(Frontend.builder("f1").loadBalancing(Frontend.MODEL_AFFINITY), cold, warm);
    awaitDiscovery(warm, cold);

    for (int i = 0; i < 10; i++) {
      Answer answer = infer("/api/chat", "llama3");
      assertThat(answer.code).as(answer.body).isEqualTo(200);
      assertThat(answer.backend).as("request %d", i).isEqualTo("warm");
    }
    assertThat(cold.inference.get()).isZero();
  }

  /** Issue 13: a policy means what its name says, whatever the backends hold in memory. */
  @ParameterizedTest
  @ValueSource(strings = {Frontend.ROUND_ROBIN, Frontend.LEAST_REQUESTS})
  void sequentialRequestsForOneModelAreSpreadEvenlyWhateverTheBackendsHaveLoaded(String policy) throws Exception {
    startFast();
    FakeOllama a = new FakeOllama("a").installed("llama3:latest").loaded("llama3:latest");
    FakeOllama b = new FakeOllama("b").installed("llama3:latest");
    FakeOllama c = new FakeOllama("c").installed("llama3:latest");
    configure(Frontend.builder("f1").loadBalancing(policy), a, b, c);
    awaitDiscovery(a, b, c);

    Map<String, Integer> served = new TreeMap<>();
    for (int i = 0; i < 30; i++) {
      Answer answer = infer("/api/generate", "llama3");
      assertThat(answer.code).as(answer.body).isEqualTo(200);
      served.merge(answer.backend, 1, Integer::sum);
    }

    assertThat(served).as("requests per backend").containsOnlyKeys("a", "b", "c")
        .allSatisfy((backend, count) -> assertThat(count).isBetween(9, 11));
  }

  @Test
  void randomSpreadsSequentialRequestsOverEveryBackendWhateverTheyHaveLoaded() throws Exception {
    startFast();
    FakeOllama a = new FakeOllama("a").installed("llama3:latest").loaded("llama3:latest");
    FakeOllama b = new FakeOllama("b").installed("llama3:latest");
    FakeOllama c = new FakeOllama("c").installed("llama3:latest");
    configure(Frontend.builder("f1").loadBalancing(Frontend.RANDOM), a, b, c);
    awaitDiscovery(a, b, c);

    Map<String, Integer> served = new TreeMap<>();
    for (int i = 0; i < 150; i++) served.merge(infer("/api/generate", "llama3").backend, 1, Integer::sum);

    // A fair share is 50; the chance that a uniform pick gives any backend fewer than 25 is below 1e-6.
    assertThat(served).as("requests per backend").containsOnlyKeys("a", "b", "c")
        .allSatisfy((backend, count) -> assertThat(count).isGreaterThanOrEqualTo(25));
  }

  @Test
  void weightsShareTrafficUnderRoundRobin() throws Exception {
    startFast();
    FakeOllama big = new FakeOllama("big").installed("llama3:latest");
    FakeOllama small = new FakeOllama("small").installed("llama3:latest");
    harness.configure(Frontend.builder("f1"), big.serveOn(harness).config().weight(3).build(),
        small.serveOn(harness).config().build());
    awaitDiscovery(big, small);

    Map<String, Integer> served = new TreeMap<>();
    for (int i = 0; i < 40; i++) served.merge(infer("/api/generate", "llama3").backend, 1, Integer::sum);

    assertThat(served).containsEntry("big", 30).containsEntry("small", 10);
  }

  @Test
  void withoutDiscoveryEveryBackendCountsAsPossiblyHoldingAnyModel() throws Exception {
    harness.start(b -> b.disableActiveHealthChecks());
    FakeOllama a = new FakeOllama("a").installed("llama3:latest");
    FakeOllama b = new FakeOllama("b").installed("llama3:latest");
    configure(Frontend.builder("f1"), a, b);

    Set<String> servedBy = new HashSet<>();
    for (int i = 0; i < 6; i++) {
      Answer answer = infer("/api/chat", "llama3");
      assertThat(answer.code).as(answer.body).isEqualTo(200);
      servedBy.add(answer.backend);
    }
    assertThat(servedBy).containsExactlyInAnyOrder("a", "b");

    // A model the proxy has never heard of is still sent on: the backend's own 404 comes back.
    Answer unknown = infer("/api/chat", "never-listed");
    assertThat(unknown.code).isEqualTo(404);
    assertThat(unknown.backend).as("the 404 came from a backend, not from the proxy").isIn("a", "b");
    assertThat(a.notFound.get() + b.notFound.get()).isEqualTo(1);
    assertThat(a.listings() + b.listings() + a.psCalls.get() + b.psCalls.get())
        .as("model listings requested while discovery is off").isZero();
  }

  @Test
  void backendWhoseListingFailsCountsAsPossiblyHoldingAnyModelWhileListedHoldersAreStillPreferred() throws Exception {
    startFast();
    FakeOllama listed = new FakeOllama("listed").installed("a:latest");
    FakeOllama unlisted = new FakeOllama("unlisted").installed("a:latest", "b:latest");
    unlisted.tagsStatus = 500;
    configure(Frontend.builder("f1"), listed, unlisted);
    awaitDiscovery(listed, unlisted);

    for (int i = 0; i < 5; i++) {
      Answer answer = infer("/api/chat", "b");
      assertThat(answer.code).as(answer.body).isEqualTo(200);
      assertThat(answer.backend).isEqualTo("unlisted");
    }
    for (int i = 0; i < 6; i++) {
      Answer answer = infer("/api/chat", "a");
      assertThat(answer.code).as(answer.body).isEqualTo(200);
      assertThat(answer.backend).as("a backend known to hold the model wins over one never listed").isEqualTo("listed");
    }
  }

  @Test
  void showAndOpenAiModelDetailsGoToABackendThatHasTheModel() throws Exception {
    startFast();
    FakeOllama a = new FakeOllama("a").installed("m1:latest");
    FakeOllama b = new FakeOllama("b").installed("m2:latest");
    FakeOllama c = new FakeOllama("c").installed("m3:latest");
    configure(Frontend.builder("f1"), a, b, c);
    awaitDiscovery(a, b, c);

    for (int i = 0; i < 6; i++) {
      Answer show = answer(harness.post("/api/show", "{\"model\":\"m2\"}"));
      assertThat(show.code).as(show.body).isEqualTo(200);
      assertThat(show.backend).isEqualTo("b");
      // Older clients send "name" instead of "model".
      Answer byName = answer(harness.post("/api/show", "{\"name\":\"m3:latest\"}"));
      assertThat(byName.code).as(byName.body).isEqualTo(200);
      assertThat(byName.backend).isEqualTo("c");
      for (String id : List.of("m2", "m2:latest", "m2%3Alatest")) {
        Answer model = answer(harness.get("/v1/models/" + id));
        assertThat(model.code).as("%s: %s", id, model.body).isEqualTo(200);
        assertThat(model.backend).as(id).isEqualTo("b");
        // Like Ollama, the id is the one asked for (the proxy asked the backend's /api/show).
        assertThat(JSON.readTree(model.body).path("id").asText())
            .isEqualTo(URLDecoder.decode(id, StandardCharsets.UTF_8));
      }
    }

    Answer missingShow = answer(harness.post("/api/show", "{\"model\":\"nope\"}"));
    assertThat(missingShow.code).isEqualTo(404);
    assertThat(missingShow.body).isEqualTo("{\"error\":\"model 'nope' not found\"}");
    Answer missingModel = answer(harness.get("/v1/models/nope"));
    assertThat(missingModel.code).isEqualTo(404);
    assertThat(JSON.readTree(missingModel.body).path("error").path("type").asText()).isEqualTo("not_found_error");
    assertThat(a.notFound.get() + b.notFound.get() + c.notFound.get()).isZero();
    assertThat(a.shows.get()).isZero();
  }

  @Test
  void openAiFormatBackendIsListedThroughV1ModelsAndServesItsModels() throws Exception {
    startFast();
    FakeOllama ollama = new FakeOllama("ollama").installed("llama3:latest");
    FakeOllama vllm = FakeOllama.openAi("vllm").installed("qwen2.5-7b-instruct");
    configure(Frontend.builder("f1"), ollama, vllm);
    awaitDiscovery(ollama, vllm);

    for (int i = 0; i < 4; i++) {
      Answer toVllm = infer("/v1/chat/completions", "qwen2.5-7b-instruct");
      assertThat(toVllm.code).as(toVllm.body).isEqualTo(200);
      assertThat(toVllm.backend).isEqualTo("vllm");
      Answer toOllama = infer("/v1/chat/completions", "llama3");
      assertThat(toOllama.code).as(toOllama.body).isEqualTo(200);
      assertThat(toOllama.backend).isEqualTo("ollama");
    }
    assertThat(vllm.notFound.get() + ollama.notFound.get()).isZero();
  }

  @Test
  void retriesStayAmongTheBackendsThatHaveTheModel() throws Exception {
    startFast();
    FakeOllama failing = new FakeOllama("failing").installed("m:latest", "solo:latest");
    FakeOllama holder = new FakeOllama("holder").installed("m:latest");
    FakeOllama lacking = new FakeOllama("lacking").installed("other:latest");
    failing.inferenceStatus = 500;
    configure(Frontend.builder("f1"), failing, holder, lacking);
    awaitDiscovery(failing, holder, lacking);

    // The only holder fails: its answer comes back; a backend without the model is not tried.
    Answer solo = infer("/api/chat", "solo");
    assertThat(solo.code).as(solo.body).isEqualTo(500);
    assertThat(solo.backend).isEqualTo("failing");
    for (int i = 0; i < 10; i++) {
      Answer answer = infer("/api/chat", "m");
      assertThat(answer.code).as(answer.body).isEqualTo(200);
      assertThat(answer.backend).isEqualTo("holder");
    }
    assertThat(lacking.inference.get()).as("requests that reached the backend without the model").isZero();
  }

  @Test
  void aBackendThatTurnsHealthyIsListedAtOnceNotAtTheNextRefresh() throws Exception {
    harness.start(b -> b.healthCheckInterval(FAST).modelRefreshInterval(Duration.ofHours(1)));
    FakeOllama a = new FakeOllama("a").installed("m1:latest");
    FakeOllama b = new FakeOllama("b").installed("m2:latest");
    configure(Frontend.builder("f1"), a, b);
    Eventually.until(WAIT, "both backends are HEALTHY", () -> harness.cluster().health().values().stream()
        .allMatch(h -> h.state() == HealthState.HEALTHY));
    // Until b's first listing is in, a request for m3 may still be sent to b (which answers 404 itself).
    Eventually.until(WAIT, "the proxy itself answers that no backend has m3", () -> {
      Answer before = infer("/api/chat", "m3");
      return before.code == 404 && before.backend == null;
    });

    b.probeStatus = 500;
    Eventually.until(WAIT, "b is UNHEALTHY", () -> harness.cluster().health().get("b").state() == HealthState.UNHEALTHY);
    b.installed("m3:latest"); // pulled while it was out of rotation
    b.probeStatus = 200;
    Eventually.until(WAIT, "b is HEALTHY again", () -> harness.cluster().health().get("b").state() == HealthState.HEALTHY);
    Eventually.until(Duration.ofSeconds(5), "m3 is served by b (listed when it turned healthy, an hour before the next refresh)",
        () -> "b".equals(infer("/api/chat", "m3").backend));
  }

  @Test
  void aBackendThatTurnsHealthyWhileAListingOfItIsStillHangingIsListedAgainOnceThatOneEnds() throws Exception {
    harness.start(b -> b.healthCheckInterval(FAST).modelRefreshInterval(Duration.ofSeconds(3)));
    FakeOllama a = new FakeOllama("a").installed("m1:latest");
    FakeOllama b = new FakeOllama("b").installed("m2:latest");
    configure(Frontend.builder("f1"), a, b);
    Eventually.until(WAIT, "the proxy itself answers that no backend has m3", () -> {
      Answer before = infer("/api/chat", "m3");
      return before.code == 404 && before.backend == null;
    });

    // b hangs: probes fail, and the next scheduled listing blocks (as it would until its timeout).
    CountDownLatch hung = new CountDownLatch(1);
    b.hangTags = hung;
    b.probeStatus = 500;
    try {
      Eventually.until(WAIT, "b is UNHEALTHY", () -> harness.cluster().health().get("b").state() == HealthState.UNHEALTHY);
      Eventually.until(WAIT, "a scheduled listing of b hangs", () -> b.tagsHanging.get() == 1);
      // b comes back with a model pulled meanwhile, while that listing is still hanging.
      b.installed("m3:latest");
      b.hangTags = null;
      b.probeStatus = 200;
      Eventually.until(WAIT, "b is HEALTHY again", () -> harness.cluster().health().get("b").state() == HealthState.HEALTHY);
    } finally {
      hung.countDown(); // the hanging listing ends in failure, as at a timeout
    }
    // The listing asked for when b turned healthy must not be lost behind the one still hanging:
    // b is listed again as soon as that one ends, well before the next scheduled refresh.
    Eventually.until(Duration.ofSeconds(1), "m3 is served by b", () -> "b".equals(infer("/api/chat", "m3").backend));
  }

  // ---- aggregated views ----

  @Test
  void apiTagsIsTheUnionOverTheFrontendsBackendsEachModelOnce() throws Exception {
    startFast();
    FakeOllama a = new FakeOllama("a").installed("a1:latest", "shared:latest");
    FakeOllama b = new FakeOllama("b").installed("b1:latest", "shared:latest");
    FakeOllama c = new FakeOllama("c").installed("c1:7b");
    FakeOllama outsider = new FakeOllama("outsider").installed("outsider:latest");
    harness.store.putBackend(outsider.serveOn(harness).config().build());
    configure(Frontend.builder("f1"), a, b, c);
    awaitDiscovery(a, b, c);

    Answer tags = answer(harness.get("/api/tags"));
    assertThat(tags.code).as(tags.body).isEqualTo(200);
    assertThat(names(tags.body, "models", "name"))
        .containsExactlyInAnyOrder("a1:latest", "shared:latest", "b1:latest", "c1:7b");
    for (JsonNode model : JSON.readTree(tags.body).path("models")) {
      assertThat(model.path("digest").asText()).as("the backend's entry is passed through").startsWith("sha256:");
    }
    assertThat(Set.of(tags.backend.split(","))).containsExactlyInAnyOrder("a", "b", "c");

    Response head = harness.call(new Request.Builder().url(harness.url("/api/tags")).head());
    try (head) {
      assertThat(head.code()).isEqualTo(200);
      assertThat(head.body().bytes()).isEmpty();
    }
  }

  @Test
  void apiPsIsTheUnionOfLoadedModels() throws Exception {
    startFast();
    FakeOllama a = new FakeOllama("a").installed("a1:latest", "shared:latest").loaded("a1:latest", "shared:latest");
    FakeOllama b = new FakeOllama("b").installed("b1:latest", "shared:latest").loaded("shared:latest");
    FakeOllama c = new FakeOllama("c").installed("c1:latest");
    configure(Frontend.builder("f1"), a, b, c);
    awaitDiscovery(a, b, c);

    Answer ps = answer(harness.get("/api/ps"));
    assertThat(ps.code).as(ps.body).isEqualTo(200);
    assertThat(names(ps.body, "models", "model")).containsExactlyInAnyOrder("a1:latest", "shared:latest");
    for (JsonNode model : JSON.readTree(ps.body).path("models")) {
      assertThat(model.path("expires_at").asText()).isEqualTo("2999-01-01T00:00:00Z");
    }
  }

  @Test
  void apiVersionIsTheLowestVersionAmongTheBackends() throws Exception {
    startFast();
    FakeOllama a = new FakeOllama("a").version("0.12.10");
    FakeOllama b = new FakeOllama("b").version("0.12.6");
    FakeOllama c = new FakeOllama("c").version("0.9.0");
    configure(Frontend.builder("f1"), a, b, c);

    Answer version = answer(harness.get("/api/version"));
    assertThat(version.code).as(version.body).isEqualTo(200);
    assertThat(version.body).isEqualTo("{\"version\":\"0.9.0\"}");

    c.version("0.13.0");
    Answer newer = answer(harness.get("/api/version"));
    assertThat(JSON.readTree(newer.body).path("version").asText()).as("0.12.6 < 0.12.10 numerically").isEqualTo("0.12.6");
  }

  @Test
  void v1ModelsIsTheUnionIncludingOpenAiFormatBackendsInOpenAisListShape() throws Exception {
    startFast();
    FakeOllama a = new FakeOllama("a").installed("a1:latest", "shared:latest");
    FakeOllama b = new FakeOllama("b").installed("shared:latest");
    FakeOllama vllm = FakeOllama.openAi("vllm").installed("qwen2.5-7b-instruct", "shared:latest");
    configure(Frontend.builder("f1"), a, b, vllm);
    awaitDiscovery(a, b, vllm);

    Answer models = answer(harness.get("/v1/models"));
    assertThat(models.code).as(models.body).isEqualTo(200);
    JsonNode root = JSON.readTree(models.body);
    assertThat(root.path("object").asText()).isEqualTo("list");
    assertThat(root.path("data").isArray()).isTrue();
    assertThat(names(models.body, "data", "id"))
        .containsExactlyInAnyOrder("a1:latest", "shared:latest", "qwen2.5-7b-instruct");
    assertThat(Set.of(models.backend.split(","))).containsExactlyInAnyOrder("a", "b", "vllm");
  }

  @Test
  void aggregationLeavesOutABackendThatFails() throws Exception {
    startFast();
    FakeOllama a = new FakeOllama("a").installed("a1:latest");
    FakeOllama broken = new FakeOllama("broken").installed("x1:latest");
    FakeOllama c = new FakeOllama("c").installed("c1:latest");
    broken.tagsStatus = 500;
    configure(Frontend.builder("f1"), a, broken, c);
    awaitDiscovery(a, broken, c);

    Answer tags = answer(harness.get("/api/tags"));
    assertThat(tags.code).as(tags.body).isEqualTo(200);
    assertThat(names(tags.body, "models", "name")).containsExactlyInAnyOrder("a1:latest", "c1:latest");
    assertThat(Set.of(tags.backend.split(","))).containsExactlyInAnyOrder("a", "c");
  }

  @Test
  void aggregationAnswers502NamingTheBackendsWhenAllFail() throws Exception {
    startFast();
    FakeOllama x = new FakeOllama("x").installed("x1:latest");
    FakeOllama y = new FakeOllama("y").installed("y1:latest");
    x.tagsStatus = 500;
    y.tagsStatus = 500;
    configure(Frontend.builder("f1"), x, y);

    Answer tags = answer(harness.get("/api/tags"));
    assertThat(tags.code).as(tags.body).isEqualTo(502);
    assertThat(JSON.readTree(tags.body).path("error").asText())
        .contains("/api/tags", "backend 'x' answered 500", "backend 'y' answered 500");
  }

  @Test
  void aggregationWorksForClientsThatAcceptGzipWhenBackendsCompress() throws Exception {
    startFast();
    // Python's requests and httpx (the ollama library) send Accept-Encoding: gzip by default; a
    // backend behind nginx with gzip on (or any server honouring the header) then compresses.
    FakeOllama a = new FakeOllama("a").installed("a1:latest");
    FakeOllama b = new FakeOllama("b").installed("b1:latest");
    a.gzipWhenAccepted = true;
    b.gzipWhenAccepted = true;
    configure(Frontend.builder("f1"), a, b);
    awaitDiscovery(a, b);

    for (String path : List.of("/api/tags", "/api/version")) {
      Answer answer = answer(harness.call(new Request.Builder().url(harness.url(path))
          .header("Accept-Encoding", "gzip, deflate")));
      // The client's Accept-Encoding must not make backends compress answers the proxy parses.
      assertThat(answer.code).as("%s: %s", path, answer.body).isEqualTo(200);
    }
    Answer tags = answer(harness.call(new Request.Builder().url(harness.url("/api/tags"))
        .header("Accept-Encoding", "gzip")));
    assertThat(names(tags.body, "models", "name")).containsExactlyInAnyOrder("a1:latest", "b1:latest");
  }

  @Test
  void anUnhealthyBackendsModelsAreLeftOutOfApiTags() throws Exception {
    startFast();
    FakeOllama a = new FakeOllama("a").installed("a1:latest");
    FakeOllama sick = new FakeOllama("sick").installed("s1:latest");
    configure(Frontend.builder("f1"), a, sick);
    awaitDiscovery(a, sick);
    assertThat(names(answer(harness.get("/api/tags")).body, "models", "name"))
        .containsExactlyInAnyOrder("a1:latest", "s1:latest");

    sick.probeStatus = 500;
    Eventually.until(WAIT, "backend 'sick' is UNHEALTHY",
        () -> harness.cluster().health().get("sick").state() == HealthState.UNHEALTHY);

    Answer tags = answer(harness.get("/api/tags"));
    assertThat(tags.code).as(tags.body).isEqualTo(200);
    assertThat(names(tags.body, "models", "name")).containsExactly("a1:latest");
    assertThat(tags.backend).isEqualTo("a");
    // And its models are no longer a destination either.
    Answer toSick = infer("/api/chat", "s1");
    assertThat(toSick.code).isEqualTo(404);
    assertThat(toSick.backend).isNull();
  }

  // ---- helpers ----

  private void startFast() throws Exception {
    harness.start(b -> b.healthCheckInterval(FAST).modelRefreshInterval(FAST));
  }

  private void configure(Frontend.Builder frontend, FakeOllama... fakes) throws Exception {
    configure(frontend, b -> {}, fakes);
  }

  /** Starts the fakes as MockWebServers and stores them, adjusted by {@code each}, in frontend "f1". */
  private void configure(Frontend.Builder frontend, Consumer<Backend.Builder> each, FakeOllama... fakes)
      throws Exception {
    List<Backend> backends = new ArrayList<>();
    for (FakeOllama fake : fakes) {
      Backend.Builder config = fake.serveOn(harness).config();
      each.accept(config);
      backends.add(config.build());
    }
    harness.configure(frontend, backends.toArray(new Backend[0]));
  }

  /** Two listing rounds seen by a backend mean the first finished: the poller never runs two at once. */
  private static void awaitDiscovery(FakeOllama... fakes) throws Exception {
    Eventually.until(WAIT, "every backend's models were listed", () -> Arrays.stream(fakes).allMatch(f -> f.listings() >= 2));
  }

  private Answer infer(String route, String model) throws Exception {
    return infer(route, model, "hi");
  }

  private Answer infer(String route, String model, String content) throws Exception {
    ObjectNode body = JSON.createObjectNode().put("model", model);
    switch (route) {
      case "/api/generate":
        body.put("prompt", content).put("stream", false);
        break;
      case "/api/embed":
        body.put("input", content);
        break;
      default:
        body.putArray("messages").addObject().put("role", "user").put("content", content);
        body.put("stream", false);
    }
    return answer(harness.post(route, body.toString()));
  }

  private static Answer answer(Response response) throws IOException {
    try (response) {
      String body = response.body().string();
      String backend = response.header(BACKEND_HEADER);
      if (response.code() == 200 && backend != null && !backend.contains(",") && body.startsWith("{\"backend\"")) {
        assertThat(JSON.readTree(body).path("backend").asText()).as("body of %s", backend).isEqualTo(backend);
      }
      return new Answer(response.code(), backend, body);
    }
  }

  private static List<String> names(String body, String array, String field) throws IOException {
    List<String> names = new ArrayList<>();
    for (JsonNode entry : JSON.readTree(body).path(array)) names.add(entry.path(field).asText());
    return names;
  }

  private record Answer(int code, String backend, String body) {}

  /**
   * A simulated inference server. Ollama format: {@code GET /}, {@code /api/tags},
   * {@code /api/ps}, {@code /api/version}, {@code /v1/models[/id]} and the inference routes, which
   * answer {@code {"backend":name,...}} for an installed model and Ollama's 404 otherwise; pulls
   * are refused. OpenAI format: {@code GET /}, {@code /v1/models} and {@code /v1/chat/completions}.
   * Model names are compared as Ollama compares them.
   */
  static final class FakeOllama extends Dispatcher {
    final String name;
    final boolean openAiFormat;
    final Set<String> installed = ConcurrentHashMap.newKeySet();
    final Set<String> loaded = ConcurrentHashMap.newKeySet();
    volatile boolean loadedAsInstalled;
    volatile String version = "0.12.6";
    volatile int probeStatus = 200;
    volatile int tagsStatus = 200;
    /** Status of inference answers for installed models; 200 unless a test makes the backend fail. */
    volatile int inferenceStatus = 200;
    /** Compress listing answers when the request accepts gzip, as nginx with gzip on does. */
    volatile boolean gzipWhenAccepted;
    /** When set, GET /api/tags waits for it and then fails, like a listing that timed out. */
    volatile CountDownLatch hangTags;
    final AtomicInteger tagsHanging = new AtomicInteger();
    /** When set, inference requests whose body contains HOLD-ME wait for it. */
    volatile CountDownLatch hold;
    final AtomicInteger holding = new AtomicInteger();
    final AtomicInteger tagsCalls = new AtomicInteger();
    final AtomicInteger psCalls = new AtomicInteger();
    final AtomicInteger modelsCalls = new AtomicInteger();
    final AtomicInteger inference = new AtomicInteger();
    final AtomicInteger notFound = new AtomicInteger();
    final AtomicInteger shows = new AtomicInteger();
    private MockWebServer server;

    FakeOllama(String name) {
      this(name, false);
    }

    private FakeOllama(String name, boolean openAiFormat) {
      this.name = name;
      this.openAiFormat = openAiFormat;
    }

    static FakeOllama openAi(String name) {
      return new FakeOllama(name, true);
    }

    FakeOllama installed(String... names) {
      installed.addAll(List.of(names));
      return this;
    }

    FakeOllama loaded(String... names) {
      loaded.addAll(List.of(names));
      return this;
    }

    FakeOllama loadedAsInstalled() {
      loadedAsInstalled = true;
      return this;
    }

    FakeOllama version(String version) {
      this.version = version;
      return this;
    }

    /** Model listings answered or refused: /api/tags for Ollama, /v1/models for OpenAI format. */
    int listings() {
      return openAiFormat ? modelsCalls.get() : tagsCalls.get();
    }

    /** This fake's configuration; {@link #serveOn} must have started it. */
    Backend.Builder config() {
      Backend.Builder builder = ScenarioHarness.backendFor(name, server);
      return openAiFormat ? builder.apiFormat(ApiFormat.OPENAI) : builder;
    }

    FakeOllama serveOn(ScenarioHarness harness) throws Exception {
      if (server == null) server = harness.backend(this);
      return this;
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
      String method = request.getMethod();
      String target = request.getTarget();
      String path = target.contains("?") ? target.substring(0, target.indexOf('?')) : target;
      if (method.equals("GET") && path.equals("/")) {
        return probeStatus == 200 ? text(200, "Ollama is running") : json(probeStatus, "{\"error\":\"sick\"}");
      }
      if (method.equals("GET") && path.equals("/v1/models")) {
        modelsCalls.incrementAndGet();
        ArrayNode data = JSON.createArrayNode();
        for (String model : installed) {
          data.addObject().put("id", model).put("object", "model").put("owned_by", name);
        }
        ObjectNode list = JSON.createObjectNode().put("object", "list");
        list.set("data", data);
        return listing(request, list.toString());
      }
      if (method.equals("POST") && path.equals("/v1/chat/completions")) {
        return inference(request, path);
      }
      if (openAiFormat) return json(404, "{\"error\":{\"message\":\"no route " + path + "\"}}");
      switch (method + " " + path) {
        case "GET /api/tags": {
          tagsCalls.incrementAndGet();
          CountDownLatch hang = hangTags;
          if (hang != null) {
            tagsHanging.incrementAndGet();
            try {
              hang.await(20, TimeUnit.SECONDS);
            } finally {
              tagsHanging.decrementAndGet();
            }
            return json(500, "{\"error\":\"listing timed out\"}");
          }
          if (tagsStatus != 200) return json(tagsStatus, "{\"error\":\"listing failed\"}");
          ArrayNode models = JSON.createArrayNode();
          for (String model : installed) {
            models.addObject().put("name", model).put("model", model).put("digest", digest(model)).put("size", 1000);
          }
          return listing(request, JSON.createObjectNode().set("models", models).toString());
        }
        case "GET /api/ps": {
          psCalls.incrementAndGet();
          ArrayNode models = JSON.createArrayNode();
          for (String model : loadedAsInstalled ? installed : loaded) {
            models.addObject().put("name", model).put("model", model).put("digest", digest(model))
                .put("expires_at", "2999-01-01T00:00:00Z").put("size_vram", 1000);
          }
          return listing(request, JSON.createObjectNode().set("models", models).toString());
        }
        case "GET /api/version":
          return listing(request, JSON.createObjectNode().put("version", version).toString());
        case "POST /api/chat":
        case "POST /api/generate":
        case "POST /api/embed":
        case "POST /api/show":
          return inference(request, path);
        case "POST /api/pull":
          return json(500, "{\"error\":\"pulls are refused by this fake\"}");
        default:
          break;
      }
      if (method.equals("GET") && path.startsWith("/v1/models/")) {
        String id = URLDecoder.decode(path.substring("/v1/models/".length()), StandardCharsets.UTF_8);
        String listed = find(id);
        if (listed == null) {
          notFound.incrementAndGet();
          return json(404, "{\"error\":{\"message\":\"model '" + id + "' not found\",\"type\":\"api_error\"}}");
        }
        shows.incrementAndGet();
        return json(200, JSON.createObjectNode().put("backend", name).put("id", listed).put("object", "model")
            .put("owned_by", name).toString());
      }
      return json(404, "{\"error\":\"fake '" + name + "' has no route " + method + " " + path + "\"}");
    }

    private MockResponse inference(RecordedRequest request, String path) throws InterruptedException {
      String body = request.getBody() == null ? "" : request.getBody().utf8();
      String model;
      try {
        JsonNode json = JSON.readTree(body);
        model = json.hasNonNull("model") ? json.path("model").asText() : json.path("name").asText(null);
      } catch (IOException e) {
        return json(400, "{\"error\":\"invalid JSON\"}");
      }
      inference.incrementAndGet();
      if (path.equals("/api/show")) shows.incrementAndGet();
      if (model == null || find(model) == null) {
        notFound.incrementAndGet();
        return json(404, "{\"error\":\"model '" + model + "' not found\"}");
      }
      CountDownLatch latch = hold;
      if (latch != null && body.contains("HOLD-ME")) {
        holding.incrementAndGet();
        try {
          latch.await(20, TimeUnit.SECONDS);
        } finally {
          holding.decrementAndGet();
        }
      }
      if (inferenceStatus != 200) return json(inferenceStatus, "{\"error\":\"backend '" + name + "' failed\"}");
      return json(200, JSON.createObjectNode().put("backend", name).put("model", model).put("route", path)
          .put("done", true).toString());
    }

    /** A 200 listing answer, gzip-compressed when this fake compresses and the request accepts it. */
    private MockResponse listing(RecordedRequest request, String body) {
      String accepted = request.getHeaders().get("Accept-Encoding");
      if (!gzipWhenAccepted || accepted == null || !accepted.toLowerCase(Locale.ROOT).contains("gzip")) {
        return json(200, body);
      }
      okio.Buffer compressed = new okio.Buffer();
      try (java.util.zip.GZIPOutputStream gzip = new java.util.zip.GZIPOutputStream(compressed.outputStream())) {
        gzip.write(body.getBytes(StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json; charset=utf-8")
          .addHeader("Content-Encoding", "gzip").addHeader("Vary", "Accept-Encoding").body(compressed).build();
    }

    /** The installed name that {@code requested} means, as Ollama resolves names; null if none. */
    private String find(String requested) {
      String wanted = canonical(requested);
      for (String model : installed) {
        if (canonical(model).equals(wanted)) return model;
      }
      return null;
    }

    private String canonical(String model) {
      if (openAiFormat) return model; // OpenAI-format servers match ids exactly
      String n = model.trim().toLowerCase(Locale.ROOT);
      if (n.startsWith("registry.ollama.ai/")) n = n.substring("registry.ollama.ai/".length());
      if (n.startsWith("library/")) n = n.substring("library/".length());
      return n.substring(n.lastIndexOf('/') + 1).contains(":") ? n : n + ":latest";
    }

    private static String digest(String model) {
      return "sha256:" + String.format("%064x", new java.math.BigInteger(1, model.getBytes(StandardCharsets.UTF_8)))
          .substring(0, 64);
    }

    private static MockResponse json(int code, String body) {
      return new MockResponse.Builder().code(code).addHeader("Content-Type", "application/json; charset=utf-8")
          .body(body).build();
    }

    private static MockResponse text(int code, String body) {
      return new MockResponse.Builder().code(code).addHeader("Content-Type", "text/plain; charset=utf-8").body(body).build();
    }
  }

}
