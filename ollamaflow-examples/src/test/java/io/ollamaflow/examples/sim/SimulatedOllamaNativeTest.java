package io.ollamaflow.examples.sim;

import static io.ollamaflow.examples.sim.SimHttp.json;
import static io.ollamaflow.examples.sim.SimHttp.ndjson;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SimulatedOllamaNativeTest {
  static final String WEATHER_TOOL = "{\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
      + "\"parameters\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"},"
      + "\"days\":{\"type\":\"integer\"}},\"required\":[\"city\"]}}}";

  private SimulatedOllama sim;
  private SimHttp http;

  @BeforeEach
  void start() throws Exception {
    sim = SimulatedOllama.builder()
        .id("sim-1")
        .models(List.of("llama3", "nomic-embed-text:latest", "qwen2.5:7b"))
        .tokenDelay(Duration.ZERO)
        .start();
    http = new SimHttp(sim);
  }

  @AfterEach
  void stop() {
    sim.close();
  }

  @Test
  void rootAndVersionAnswerLikeOllama() {
    HttpResponse<String> root = http.get("/");
    assertThat(root.statusCode()).isEqualTo(200);
    assertThat(root.body()).isEqualTo("Ollama is running");
    assertThat(root.headers().firstValue("Content-Type")).hasValue("text/plain; charset=utf-8");

    HttpResponse<String> version = http.get("/api/version");
    assertThat(version.body()).isEqualTo("{\"version\":\"0.12.6\"}");
    assertThat(version.headers().firstValue("Content-Type")).hasValue("application/json; charset=utf-8");
    assertThat(http.send("HEAD", "/api/version", null).statusCode()).isEqualTo(200);
  }

  @Test
  void tagsListCanonicalNamesInConfiguredOrder() {
    JsonNode models = json(http.get("/api/tags")).path("models");

    assertThat(models).extracting(m -> m.path("name").asText())
        .containsExactly("llama3:latest", "nomic-embed-text:latest", "qwen2.5:7b");
    JsonNode first = models.get(0);
    assertThat(first.path("model").asText()).isEqualTo("llama3:latest");
    assertThat(first.path("digest").asText()).hasSize(64);
    assertThat(first.path("size").asLong()).isPositive();
    assertThat(OffsetDateTime.parse(first.path("modified_at").asText())).isNotNull();
    assertThat(first.path("modified_at").asText()).endsWith("Z");
    assertThat(first.path("details").path("format").asText()).isEqualTo("gguf");
    assertThat(first.path("details").path("family").asText()).isEqualTo("llama");
    assertThat(models.get(2).path("details").path("parameter_size").asText()).isEqualTo("7B");
  }

  @Test
  void psIsEmptyAtStartAndListsAModelOnceARequestLoadedIt() {
    assertThat(json(http.get("/api/ps")).path("models")).isEmpty();

    http.post("/api/generate", "{\"model\":\"llama3\",\"prompt\":\"hi\",\"stream\":false}");

    JsonNode models = json(http.get("/api/ps")).path("models");

    assertThat(models).hasSize(1);
    assertThat(models.get(0).path("name").asText()).isEqualTo("llama3:latest");
    assertThat(models.get(0).path("size_vram").asLong()).isEqualTo(models.get(0).path("size").asLong());
    assertThat(OffsetDateTime.parse(models.get(0).path("expires_at").asText())).isNotNull();
  }

  @Test
  void showDescribesModelAcceptingLegacyNameField() {
    JsonNode show = json(http.post("/api/show", "{\"name\":\"llama3\"}"));

    assertThat(show.path("modelfile").asText()).contains("FROM llama3:latest");
    assertThat(show.path("details").path("family").asText()).isEqualTo("llama");
    assertThat(show.path("model_info").path("general.architecture").asText()).isEqualTo("llama");
    assertThat(show.path("capabilities")).extracting(JsonNode::asText).contains("completion");
    assertThat(json(http.post("/api/show", "{\"model\":\"nomic-embed-text\"}")).path("capabilities"))
        .extracting(JsonNode::asText).containsExactly("embedding");
  }

  @Test
  void unknownModelGets404InOllamaShape() {
    for (String path : List.of("/api/generate", "/api/chat", "/api/embed", "/api/show")) {
      HttpResponse<String> response = http.post(path, "{\"model\":\"nope\",\"prompt\":\"hi\"}");

      assertThat(response.statusCode()).as(path).isEqualTo(404);
      assertThat(response.body()).as(path).isEqualTo("{\"error\":\"model 'nope' not found\"}");
      assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json; charset=utf-8");
    }
  }

  @Test
  void badRequestBodiesGet400WithOllamaMessages() {
    HttpResponse<String> empty = http.post("/api/generate", "");
    assertThat(empty.statusCode()).isEqualTo(400);
    assertThat(empty.body()).isEqualTo("{\"error\":\"missing request body\"}");

    HttpResponse<String> malformed = http.post("/api/chat", "{\"model\":");
    assertThat(malformed.statusCode()).isEqualTo(400);
    assertThat(json(malformed).path("error").asText()).isNotBlank();

    HttpResponse<String> noModel = http.post("/api/generate", "{\"prompt\":\"hi\"}");
    assertThat(noModel.statusCode()).isEqualTo(400);
    assertThat(noModel.body()).isEqualTo("{\"error\":\"model is required\"}");
  }

  @Test
  void generateStreamsTokensNamingTheServerAndEndsWithMetrics() {
    HttpResponse<String> response =
        http.post("/api/generate", "{\"model\":\"llama3\",\"prompt\":\"Why is the sky blue?\"}");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/x-ndjson");
    assertThat(response.body()).endsWith("\n");
    List<JsonNode> lines = ndjson(response.body());
    assertThat(lines).hasSize(9);
    StringBuilder text = new StringBuilder();
    lines.forEach(line -> text.append(line.path("response").asText()));
    assertThat(text.toString()).isEqualTo("Hello from sim-1. This is a simulated answer.");
    assertThat(lines.get(0).path("model").asText()).isEqualTo("llama3");
    assertThat(lines.get(0).path("done").asBoolean()).isFalse();
    JsonNode last = lines.get(8);
    assertThat(last.path("done").asBoolean()).isTrue();
    assertThat(last.path("done_reason").asText()).isEqualTo("stop");
    assertThat(last.path("eval_count").asInt()).isEqualTo(8);
    assertThat(last.path("prompt_eval_count").asInt()).isEqualTo(5);
    assertThat(last.path("context").isArray()).isTrue();
    for (String field : List.of("total_duration", "load_duration", "prompt_eval_duration", "eval_duration")) {
      assertThat(last.path(field).isIntegralNumber()).as(field).isTrue();
    }
  }

  @Test
  void generateWithStreamFalseReturnsOneObject() {
    HttpResponse<String> response = http.post("/api/generate",
        "{\"model\":\"llama3:latest\",\"prompt\":\"hi\",\"stream\":false}");

    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json; charset=utf-8");
    assertThat(response.body()).doesNotContain("\n");
    JsonNode reply = json(response);
    assertThat(reply.path("response").asText()).isEqualTo("Hello from sim-1. This is a simulated answer.");
    assertThat(reply.path("done").asBoolean()).isTrue();
    assertThat(reply.path("eval_count").asInt()).isEqualTo(8);
  }

  @Test
  void numPredictOverridesTheTokenCount() {
    JsonNode reply = json(http.post("/api/chat",
        "{\"model\":\"llama3\",\"stream\":false,\"options\":{\"num_predict\":3},"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"));

    assertThat(reply.path("message").path("content").asText()).isEqualTo("Hello from sim-1.");
    assertThat(reply.path("eval_count").asInt()).isEqualTo(3);
  }

  @Test
  void streamsChatAsNdjsonLinesSpacedByTokenDelay() throws Exception {
    long delayMillis = 100;
    sim.setTokenDelay(Duration.ofMillis(delayMillis));
    long sent = System.nanoTime();
    HttpResponse<InputStream> response = http.client().send(http.request("POST", "/api/chat",
        "{\"model\":\"llama3\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
            + "\"options\":{\"num_predict\":4}}"),
        HttpResponse.BodyHandlers.ofInputStream());
    List<Long> arrivalMillis = new ArrayList<>();
    List<JsonNode> lines = new ArrayList<>();
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      for (String line; (line = reader.readLine()) != null; ) {
        arrivalMillis.add((System.nanoTime() - sent) / 1_000_000);
        lines.add(json(line));
      }
    }

    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/x-ndjson");
    assertThat(lines).hasSize(5);
    assertThat(lines.get(0).path("message").path("role").asText()).isEqualTo("assistant");
    assertThat(lines.get(0).path("message").path("content").asText()).isEqualTo("Hello");
    assertThat(lines.get(4).path("done").asBoolean()).isTrue();
    assertThat(lines.get(4).has("context")).isFalse();
    // Line k cannot be written before k delays have passed...
    for (int k = 0; k < arrivalMillis.size(); k++) {
      assertThat(arrivalMillis.get(k)).as("arrival of line %d", k).isGreaterThanOrEqualTo(k * delayMillis - 5);
    }
    // ...and lines arrive one by one rather than in a burst (allowing one gap squeezed by a slow reader).
    long spacedGaps = 0;
    for (int k = 1; k < arrivalMillis.size(); k++) {
      spacedGaps += arrivalMillis.get(k) - arrivalMillis.get(k - 1) >= delayMillis / 2 ? 1 : 0;
    }
    assertThat(spacedGaps).isGreaterThanOrEqualTo(3);
  }

  @Test
  void embedReturnsDeterministicNormalisedVectors() {
    JsonNode reply = json(http.post("/api/embed", "{\"model\":\"nomic-embed-text\",\"input\":[\"a\",\"b\",\"a\"]}"));

    JsonNode embeddings = reply.path("embeddings");
    assertThat(reply.path("model").asText()).isEqualTo("nomic-embed-text");
    assertThat(embeddings).hasSize(3);
    assertThat(embeddings.get(0)).hasSize(8).isEqualTo(embeddings.get(2)).isNotEqualTo(embeddings.get(1));
    double norm = 0;
    for (JsonNode value : embeddings.get(0)) {
      norm += value.asDouble() * value.asDouble();
    }
    assertThat(norm).isCloseTo(1.0, offset(1e-5));
    assertThat(reply.path("prompt_eval_count").asInt()).isEqualTo(3);

    JsonNode single = json(http.post("/api/embed", "{\"model\":\"nomic-embed-text\",\"input\":\"a\"}"));
    assertThat(single.path("embeddings").get(0)).isEqualTo(embeddings.get(0));
    assertThat(http.post("/api/embed", "{\"model\":\"nomic-embed-text\",\"input\":5}").statusCode()).isEqualTo(400);
  }

  @Test
  void legacyEmbeddingsReturnOneVector() {
    JsonNode reply = json(http.post("/api/embeddings", "{\"model\":\"nomic-embed-text\",\"prompt\":\"a\"}"));

    assertThat(reply.path("embedding")).hasSize(8);
  }

  @Test
  void pullInstallsModelAndEndsWithSuccess() {
    HttpResponse<String> response = http.post("/api/pull", "{\"model\":\"mistral\"}");

    List<JsonNode> lines = ndjson(response.body());
    assertThat(lines.get(0).path("status").asText()).isEqualTo("pulling manifest");
    List<JsonNode> layers = lines.stream().filter(line -> line.has("digest")).toList();
    assertThat(layers).hasSizeGreaterThan(1);
    assertThat(layers.get(0).path("status").asText()).startsWith("pulling ");
    assertThat(layers.get(0).path("digest").asText()).startsWith("sha256:");
    assertThat(layers.get(2).path("completed").asLong()).isEqualTo(layers.get(2).path("total").asLong());
    assertThat(lines).extracting(line -> line.path("status").asText())
        .endsWith("verifying sha256 digest", "writing manifest", "success");
    assertThat(sim.models()).contains("mistral:latest");
    assertThat(http.get("/api/tags").body()).contains("mistral:latest");
  }

  @Test
  void pullWithStreamFalseAnswersOnlySuccess() {
    HttpResponse<String> response = http.post("/api/pull", "{\"name\":\"phi3:mini\",\"stream\":false}");

    assertThat(response.body()).isEqualTo("{\"status\":\"success\"}");
    assertThat(sim.models()).contains("phi3:mini");
  }

  @Test
  void pushStreamsProgressEndingWithSuccess() {
    List<JsonNode> lines = ndjson(http.post("/api/push", "{\"model\":\"llama3\"}").body());

    assertThat(lines).extracting(line -> line.path("status").asText())
        .startsWith("retrieving manifest", "starting upload")
        .endsWith("pushing manifest", "success");
    assertThat(http.post("/api/push", "{\"model\":\"nope\"}").statusCode()).isEqualTo(404);
  }

  @Test
  void blobUploadVerifiesDigest() throws Exception {
    byte[] content = "GGUF fake weights".getBytes(StandardCharsets.UTF_8);
    String digest = "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    String wrong = "sha256:" + "0".repeat(64);

    assertThat(http.send("HEAD", "/api/blobs/" + digest, null).statusCode()).isEqualTo(404);
    HttpResponse<String> mismatch = http.post("/api/blobs/" + wrong, "GGUF fake weights");
    assertThat(mismatch.statusCode()).isEqualTo(400);
    assertThat(json(mismatch).path("error").asText()).startsWith("digest mismatch");
    assertThat(http.post("/api/blobs/" + digest, "GGUF fake weights").statusCode()).isEqualTo(201);
    assertThat(http.post("/api/blobs/" + digest, "GGUF fake weights").statusCode()).isEqualTo(200);
    assertThat(http.send("HEAD", "/api/blobs/" + digest, null).statusCode()).isEqualTo(200);
    assertThat(http.post("/api/blobs/sha256:xyz", "x").statusCode()).isEqualTo(400);
  }

  @Test
  void createNeedsBlobsUploadedToThisServer() throws Exception {
    String digest = "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(new byte[] {1}));
    String create = "{\"model\":\"custom\",\"files\":{\"model.gguf\":\"" + digest + "\"}}";

    assertThat(http.post("/api/create", create).statusCode()).isEqualTo(400);
    assertThat(sim.models()).doesNotContain("custom:latest");

    http.send(http.requestBuilder("/api/blobs/" + digest)
        .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[] {1}))
        .build());
    List<JsonNode> lines = ndjson(http.post("/api/create", create).body());
    assertThat(lines.get(lines.size() - 1).path("status").asText()).isEqualTo("success");
    assertThat(lines).extracting(line -> line.path("status").asText()).contains("using existing layer " + digest);
    assertThat(sim.models()).contains("custom:latest");
  }

  @Test
  void createFromExistingModelInheritsItsDetails() {
    HttpResponse<String> response =
        http.post("/api/create", "{\"model\":\"mine\",\"from\":\"qwen2.5:7b\",\"stream\":false}");

    assertThat(response.body()).isEqualTo("{\"status\":\"success\"}");
    assertThat(json(http.post("/api/show", "{\"model\":\"mine\"}")).path("details").path("family").asText())
        .isEqualTo("qwen");
    assertThat(http.post("/api/create", "{\"model\":\"x\",\"from\":\"nope\"}").statusCode()).isEqualTo(404);
  }

  @Test
  void copyAndDeleteAnswerWithEmptyBodies() {
    HttpResponse<String> copy = http.post("/api/copy", "{\"source\":\"llama3\",\"destination\":\"backup\"}");
    assertThat(copy.statusCode()).isEqualTo(200);
    assertThat(copy.body()).isEmpty();
    assertThat(sim.models()).contains("backup:latest");

    HttpResponse<String> missing = http.post("/api/copy", "{\"source\":\"nope\",\"destination\":\"x\"}");
    assertThat(missing.statusCode()).isEqualTo(404);

    HttpResponse<String> delete = http.send("DELETE", "/api/delete", "{\"name\":\"llama3\"}");
    assertThat(delete.statusCode()).isEqualTo(200);
    assertThat(delete.body()).isEmpty();
    assertThat(sim.models()).doesNotContain("llama3:latest");
    assertThat(json(http.get("/api/ps")).path("models")).isEmpty();
    assertThat(http.send("DELETE", "/api/delete", "{\"model\":\"llama3\"}").body())
        .isEqualTo("{\"error\":\"model 'llama3' not found\"}");
  }

  @Test
  void unknownPathIs404AndWrongMethodIs405() {
    HttpResponse<String> unknown = http.get("/api/nope");
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.body()).isEqualTo("404 page not found");
    assertThat(unknown.headers().firstValue("Content-Type")).hasValue("text/plain");

    HttpResponse<String> wrongMethod = http.get("/api/generate");
    assertThat(wrongMethod.statusCode()).isEqualTo(405);
    assertThat(wrongMethod.body()).isEqualTo("405 method not allowed");
    assertThat(http.post("/api/delete", "{\"model\":\"llama3\"}").statusCode()).isEqualTo(405);
    assertThat(http.get("/api/blobs/sha256:abc").statusCode()).isEqualTo(405);
  }

  @Test
  void chatOfferingToolsCallsTheFirstWhenAskedAboutTheWeather() {
    String chat = "{\"model\":\"llama3\",\"messages\":[{\"role\":\"user\",\"content\":\"What is the weather in Paris?\"}],"
        + "\"tools\":[" + WEATHER_TOOL + "],\"stream\":";
    JsonNode whole = json(http.post("/api/chat", chat + "false}"));
    List<JsonNode> lines = ndjson(http.post("/api/chat", chat + "true}").body());

    JsonNode call = whole.path("message").path("tool_calls").get(0);
    assertThat(whole.path("message").path("content").asText()).isEmpty();
    assertThat(call.path("id").asText()).matches("call_[0-9a-f]{8}");
    assertThat(call.path("function").path("name").asText()).isEqualTo("get_weather");
    assertThat(call.path("function").path("arguments").toString()).isEqualTo("{\"city\":\"Paris\",\"days\":1}");
    assertThat(whole.path("done_reason").asText()).isEqualTo("stop");
    assertThat(lines).hasSize(2);
    assertThat(lines.get(0).path("message").path("tool_calls").get(0).path("function"))
        .isEqualTo(call.path("function"));
    assertThat(lines.get(0).path("done").asBoolean()).isFalse();
    assertThat(lines.get(1).path("done").asBoolean()).isTrue();
  }

  @Test
  void chatAnswersWithTextOnceTheToolResultIsBack() {
    JsonNode reply = json(http.post("/api/chat", "{\"model\":\"llama3\",\"stream\":false,\"tools\":[" + WEATHER_TOOL
        + "],\"messages\":[{\"role\":\"user\",\"content\":\"weather?\"},{\"role\":\"assistant\",\"content\":\"\","
        + "\"tool_calls\":[{\"function\":{\"name\":\"get_weather\",\"arguments\":{\"city\":\"Paris\"}}}]},"
        + "{\"role\":\"tool\",\"tool_name\":\"get_weather\",\"content\":\"sunny\"}]}"));

    assertThat(reply.path("message").has("tool_calls")).isFalse();
    assertThat(reply.path("message").path("content").asText()).isEqualTo("Hello from sim-1. This is a simulated answer.");
  }

  @Test
  void nativeOnlyFlavorAnswersOpenAiPathsWith404() throws Exception {
    try (SimulatedOllama old = SimulatedOllama.builder().flavor(SimulatedOllama.Flavor.OLLAMA_NATIVE_ONLY)
        .tokenDelay(Duration.ZERO).start()) {
      SimHttp oldHttp = new SimHttp(old);
      HttpResponse<String> chat = oldHttp.post("/v1/chat/completions",
          "{\"model\":\"llama3\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

      assertThat(chat.statusCode()).isEqualTo(404);
      assertThat(chat.body()).isEqualTo("404 page not found");
      assertThat(oldHttp.get("/v1/models").statusCode()).isEqualTo(404);
      assertThat(json(oldHttp.get("/api/tags")).path("models")).hasSize(1);
      assertThat(old.toString()).contains("flavor=OLLAMA_NATIVE_ONLY");
    }
  }
}
