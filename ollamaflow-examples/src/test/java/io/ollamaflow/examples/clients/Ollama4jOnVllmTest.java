package io.ollamaflow.examples.clients;

import static io.ollamaflow.examples.clients.TranslatingCluster.assertRenormalisedEmbedding;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.ollama4j.Ollama;
import io.github.ollama4j.exceptions.OllamaException;
import io.github.ollama4j.models.chat.OllamaChatMessageRole;
import io.github.ollama4j.models.chat.OllamaChatRequest;
import io.github.ollama4j.models.chat.OllamaChatResult;
import io.github.ollama4j.models.embed.OllamaEmbedRequest;
import io.github.ollama4j.models.embed.OllamaEmbedResult;
import io.github.ollama4j.models.generate.OllamaGenerateRequest;
import io.github.ollama4j.models.generate.OllamaGenerateStreamObserver;
import io.github.ollama4j.models.ps.ModelProcessesResult;
import io.github.ollama4j.models.request.ThinkMode;
import io.github.ollama4j.models.response.Model;
import io.github.ollama4j.models.response.OllamaResult;
import io.github.ollama4j.tools.Tools;
import io.ollamaflow.core.internal.translation.OllamaToOpenAi;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** ollama4j, an Ollama client, served by a vLLM through the proxy's translation. */
class Ollama4jOnVllmTest {
  private static final String MODEL = "Qwen/Qwen2.5-1.5B-Instruct";
  private static final String EMBEDDING_MODEL = "intfloat/e5-small";
  private static final String ANSWER = "Hello from vllm-1. This is a simulated answer.";

  private TranslatingCluster proxy;
  private Ollama ollama;

  @BeforeEach
  void start() throws Exception {
    proxy = TranslatingCluster.vllm("vllm-1", List.of(MODEL, EMBEDDING_MODEL));
    ollama = new Ollama(proxy.url());
    ollama.setRequestTimeoutSeconds(10);
  }

  @AfterEach
  void stop() {
    proxy.close();
  }

  @Test
  void ollama4jChatsWithVllmBackend() throws Exception {
    OllamaChatResult result = ollama.chat(OllamaChatRequest.builder().withModel(MODEL)
        .withMessage(OllamaChatMessageRole.USER, "Why is the sky blue?").build(), null);

    assertThat(result.getResponseModel().getMessage().getResponse()).isEqualTo(ANSWER);
    assertThat(result.getResponseModel().isDone()).isTrue();
    JsonNode sent = proxy.bodiesSentTo("/v1/chat/completions").get(0);
    assertThat(sent.path("messages").get(0).path("content").asText()).isEqualTo("Why is the sky blue?");
    assertThat(sent.path("stream").asBoolean(false)).isFalse();
    assertThat(sent.has("stream_options")).as("vLLM refuses stream_options without stream").isFalse();
  }

  @Test
  void ollama4jStreamsChatFromVllmBackend() throws Exception {
    List<String> pieces = new ArrayList<>();
    OllamaChatResult result = ollama.chat(OllamaChatRequest.builder().withModel(MODEL)
        .withMessage(OllamaChatMessageRole.USER, "Why is the sky blue?").build(),
        chunk -> pieces.add(chunk.getMessage().getResponse()));

    assertThat(pieces).filteredOn(piece -> !piece.isEmpty()).hasSizeGreaterThan(1);
    assertThat(String.join("", pieces)).isEqualTo(ANSWER);
    assertThat(result.getResponseModel().isDone()).isTrue();
    JsonNode sent = proxy.bodiesSentTo("/v1/chat/completions").get(0);
    assertThat(sent.path("stream").asBoolean()).isTrue();
  }

  @Test
  void ollama4jStreamsGenerateFromVllmBackend() throws Exception {
    List<String> pieces = new ArrayList<>();
    OllamaResult result = ollama.generate(
        OllamaGenerateRequest.builder().withModel(MODEL).withPrompt("Say hi").withStreaming(true)
            .withThink(ThinkMode.DISABLED).build(),
        new OllamaGenerateStreamObserver(null, pieces::add));

    assertThat(pieces).hasSizeGreaterThan(1);
    assertThat(String.join("", pieces)).isEqualTo(ANSWER);
    assertThat(result.getResponse()).isEqualTo(ANSWER);
    assertThat(result.getEvalCount()).as("eval_count from vLLM's usage").isEqualTo(8);
  }

  @Test
  void ollama4jEmbedsThroughVllmBackend() throws Exception {
    OllamaEmbedResult result = ollama.embed(new OllamaEmbedRequest(EMBEDDING_MODEL, List.of("one", "two")));

    assertThat(result.getEmbeddings()).hasSize(2);
    assertRenormalisedEmbedding(result.getEmbeddings().get(0), "one");
    assertRenormalisedEmbedding(result.getEmbeddings().get(1), "two");
    assertThat(proxy.bodiesSentTo("/v1/embeddings").get(0).path("input"))
        .extracting(JsonNode::asText).containsExactly("one", "two");
  }

  @Test
  void ollama4jPingsAndListsVllmModels() throws Exception {
    assertThat(ollama.ping()).isTrue();
    List<Model> models = ollama.listModels();

    assertThat(models).extracting(Model::getName).containsExactly(MODEL, EMBEDDING_MODEL);
    assertThat(models).extracting(Model::getModel).containsExactly(MODEL, EMBEDDING_MODEL);
    assertThat(models).allSatisfy(model -> assertThat(model.getModifiedAt()).isNotNull());
  }

  @Test
  void ollama4jGetsTheEmulatedOllamaVersionFromAFrontendWhoseOnlyBackendIsVllm() throws Exception {
    assertThat(ollama.getVersion()).isEqualTo(OllamaToOpenAi.EMULATED_OLLAMA_VERSION);
  }

  @Test
  void ollama4jSeesEveryVllmModelAsLoaded() throws Exception {
    ModelProcessesResult ps = ollama.ps();

    assertThat(ps.getModels()).extracting(ModelProcessesResult.ModelProcess::getName)
        .containsExactly(MODEL, EMBEDDING_MODEL);
    assertThat(ps.getModels()).allSatisfy(model -> {
      assertThat(OffsetDateTime.parse(model.getExpiresAt())).isAfter(OffsetDateTime.now().plusYears(100));
      assertThat(model.getDetails()).isNotNull();
    });
  }

  @Test
  void ollama4jGetsModelDetailsByTheOllamaNameOfAModelVllmListsWithItsTag() throws Exception {
    try (TranslatingCluster tagged = TranslatingCluster.vllm("vllm-tagged", List.of("llama3:latest"))) {
      Ollama client = new Ollama(tagged.url());
      client.setRequestTimeoutSeconds(10);

      assertThat(client.getModelDetails("llama3").getCapabilities()).contains("completion");
      assertThat(client.getModelDetails("LLAMA3").getCapabilities()).contains("completion");
      assertThatThrownBy(() -> client.getModelDetails("llama3:8b")).isInstanceOf(OllamaException.class)
          .hasMessageContaining("not found");
    }
  }

  @Test
  void ollama4jChatsByTheOllamaNameAndVllmGetsTheNameItLists() throws Exception {
    try (TranslatingCluster tagged = TranslatingCluster.vllmWithModelsListed("vllm-tagged", List.of("llama3:latest"))) {
      Ollama client = new Ollama(tagged.url());
      client.setRequestTimeoutSeconds(10);

      OllamaChatResult result = client.chat(OllamaChatRequest.builder().withModel("llama3")
          .withMessage(OllamaChatMessageRole.USER, "hi").build(), null);

      assertThat(result.getResponseModel().isDone()).isTrue();
      assertThat(tagged.bodiesSentTo("/v1/chat/completions").get(0).path("model").asText()).isEqualTo("llama3:latest");
    }
  }

  @Test
  void ollama4jRunsToolCalledByVllmBackendAndSendsTheResultBack() throws Exception {
    List<Map<String, Object>> calls = new ArrayList<>();
    Tools.Tool weather = Tools.Tool.builder()
        .toolSpec(Tools.ToolSpec.builder().name(WeatherTool.NAME).description("Current weather in a city")
            .parameters(Tools.Parameters.of(properties())).build())
        .toolFunction(arguments -> {
          calls.add(arguments);
          return "sunny";
        })
        .build();

    OllamaChatResult result = ollama.chat(OllamaChatRequest.builder().withModel(MODEL)
        .withMessage(OllamaChatMessageRole.USER, WeatherTool.QUESTION)
        .withTools(new ArrayList<>(List.of(weather))).build(), null);

    assertThat(calls).containsExactly(Map.of("city", "Paris", "days", 1));
    assertThat(result.getResponseModel().getMessage().getResponse()).isEqualTo(ANSWER);
    List<JsonNode> sent = proxy.bodiesSentTo("/v1/chat/completions");
    assertThat(sent).hasSize(2);
    assertThat(sent.get(0).path("tools").get(0).path("function").path("name").asText()).isEqualTo(WeatherTool.NAME);
    JsonNode messages = sent.get(1).path("messages");
    JsonNode call = messages.get(1).path("tool_calls").get(0);
    JsonNode toolResult = messages.get(2);
    assertThat(call.path("id").asText()).startsWith("chatcmpl-tool-");
    WeatherTool.assertArguments(call.path("function").path("arguments").asText());
    assertThat(toolResult.path("role").asText()).isEqualTo("tool");
    assertThat(toolResult.path("tool_call_id").asText()).isEqualTo(call.path("id").asText());
    assertThat(toolResult.path("content").asText()).contains("sunny");
  }

  @Test
  void ollama4jGetsOllamasNotFoundForModelVllmDoesNotServe() {
    assertThatThrownBy(() -> ollama.chat(OllamaChatRequest.builder().withModel("llama3")
        .withMessage(OllamaChatMessageRole.USER, "hi").build(), null))
        .isInstanceOf(OllamaException.class)
        .hasMessageContaining("model 'llama3' not found");
  }

  private static Map<String, Tools.Property> properties() {
    Map<String, Tools.Property> properties = new LinkedHashMap<>();
    properties.put("city", Tools.Property.builder().type("string").description("City name").required(true).build());
    properties.put("days", Tools.Property.builder().type("integer").description("Days ahead").build());
    return properties;
  }
}
