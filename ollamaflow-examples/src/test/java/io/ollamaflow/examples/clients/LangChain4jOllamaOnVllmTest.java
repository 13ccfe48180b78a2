package io.ollamaflow.examples.clients;

import static io.ollamaflow.examples.clients.TranslatingCluster.assertRenormalisedEmbedding;
import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.ollama.OllamaChatModel;
import dev.langchain4j.model.ollama.OllamaEmbeddingModel;
import dev.langchain4j.model.ollama.OllamaLanguageModel;
import dev.langchain4j.model.ollama.OllamaModel;
import dev.langchain4j.model.ollama.OllamaModels;
import dev.langchain4j.model.ollama.RunningOllamaModel;
import dev.langchain4j.model.ollama.OllamaStreamingChatModel;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** langchain4j-ollama, an Ollama client, served by a vLLM through the proxy's translation. */
class LangChain4jOllamaOnVllmTest {
  private static final String MODEL = "Qwen/Qwen2.5-1.5B-Instruct";
  private static final String EMBEDDING_MODEL = "intfloat/e5-small";
  private static final String ANSWER = "Hello from vllm-1. This is a simulated answer.";
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private TranslatingCluster proxy;

  @BeforeEach
  void start() throws Exception {
    proxy = TranslatingCluster.vllm("vllm-1", List.of(MODEL, EMBEDDING_MODEL));
  }

  @AfterEach
  void stop() {
    proxy.close();
  }

  @Test
  void langchain4jOllamaChatsWithVllmBackend() {
    OllamaChatModel model = OllamaChatModel.builder().baseUrl(proxy.url()).modelName(MODEL).timeout(TIMEOUT).build();

    ChatResponse response = model.chat(ChatRequest.builder().messages(UserMessage.from("Why is the sky blue?")).build());

    assertThat(response.aiMessage().text()).isEqualTo(ANSWER);
    assertThat(response.tokenUsage().outputTokenCount()).isEqualTo(8);
  }

  @Test
  void langchain4jOllamaStreamsChatFromVllmBackend() throws Exception {
    RecordingStreamHandler handler = new RecordingStreamHandler();

    streamingModel().chat("Why is the sky blue?", handler);

    ChatResponse response = handler.await();
    assertThat(handler.pieces).hasSizeGreaterThan(1);
    assertThat(String.join("", handler.pieces)).isEqualTo(ANSWER);
    assertThat(response.aiMessage().text()).isEqualTo(ANSWER);
    assertThat(response.tokenUsage().outputTokenCount()).as("eval_count from vLLM's usage chunk").isEqualTo(8);
  }

  @Test
  void langchain4jOllamaGeneratesFromVllmBackend() {
    OllamaLanguageModel model = OllamaLanguageModel.builder().baseUrl(proxy.url()).modelName(MODEL).timeout(TIMEOUT).build();

    assertThat(model.generate("Say hi").content()).isEqualTo(ANSWER);
  }

  @Test
  void langchain4jOllamaEmbedsThroughVllmBackend() {
    OllamaEmbeddingModel model =
        OllamaEmbeddingModel.builder().baseUrl(proxy.url()).modelName(EMBEDDING_MODEL).timeout(TIMEOUT).build();

    assertRenormalisedEmbedding(model.embed("one").content().vectorAsList(), "one");
  }

  @Test
  void langchain4jOllamaListsVllmModels() {
    OllamaModels models = OllamaModels.builder().baseUrl(proxy.url()).timeout(TIMEOUT).build();

    assertThat(models.availableModels().content()).extracting(OllamaModel::getName).containsExactly(MODEL, EMBEDDING_MODEL);
  }

  @Test
  void langchain4jOllamaSeesVllmModelsRunningAndReadsTheirCards() {
    OllamaModels models = OllamaModels.builder().baseUrl(proxy.url()).timeout(TIMEOUT).build();

    List<RunningOllamaModel> running = models.runningModels().content();
    assertThat(running).extracting(RunningOllamaModel::getName).containsExactly(MODEL, EMBEDDING_MODEL);
    assertThat(running).allSatisfy(model -> assertThat(model.getExpiresAt()).isAfter(OffsetDateTime.now()));
    assertThat(models.modelCard(MODEL.toLowerCase(Locale.ROOT)).content().getCapabilities()).contains("completion");
  }

  @Test
  void langchain4jOllamaStreamsVllmToolCallFragmentsAsOneCall() throws Exception {
    RecordingStreamHandler handler = new RecordingStreamHandler();

    streamingModel().chat(ChatRequest.builder().messages(UserMessage.from(WeatherTool.QUESTION))
        .toolSpecifications(WeatherTool.LANGCHAIN4J).build(), handler);

    WeatherTool.assertOneLangChain4jCall(handler.await().aiMessage().toolExecutionRequests());
    assertThat(handler.toolCalls).hasSize(1);
    assertThat(proxy.bodiesSentTo("/v1/chat/completions").get(0).path("stream").asBoolean())
        .as("the vLLM streamed the call in fragments").isTrue();
  }

  private OllamaStreamingChatModel streamingModel() {
    return OllamaStreamingChatModel.builder().baseUrl(proxy.url()).modelName(MODEL).timeout(TIMEOUT).build();
  }
}
