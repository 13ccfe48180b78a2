package io.ollamaflow.examples.clients;

import static io.ollamaflow.examples.clients.TranslatingCluster.embeddingOf;
import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.catalog.ModelDescription;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiEmbeddingModel;
import dev.langchain4j.model.openai.OpenAiLanguageModel;
import dev.langchain4j.model.openai.OpenAiModelCatalog;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.langchain4j.model.output.FinishReason;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** langchain4j-open-ai, an OpenAI client, served by an Ollama without /v1 through the proxy's translation. */
class LangChain4jOpenAiOnOllamaTest {
  private static final String MODEL = "llama3.2";
  private static final String EMBEDDING_MODEL = "nomic-embed-text";
  private static final String ANSWER = "Hello from ollama-1. This is a simulated answer.";
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private TranslatingCluster proxy;

  @BeforeEach
  void start() throws Exception {
    proxy = TranslatingCluster.nativeOllama("ollama-1", List.of(MODEL, EMBEDDING_MODEL));
  }

  @AfterEach
  void stop() {
    proxy.close();
  }

  @Test
  void langchain4jOpenAiChatsWithNativeOllamaBackend() {
    OpenAiChatModel model = OpenAiChatModel.builder().baseUrl(baseUrl()).apiKey("unused").modelName(MODEL)
        .timeout(TIMEOUT).maxRetries(0).build();

    ChatResponse response = model.chat(ChatRequest.builder().messages(UserMessage.from("Why is the sky blue?")).build());

    assertThat(response.aiMessage().text()).isEqualTo(ANSWER);
    assertThat(response.finishReason()).isEqualTo(FinishReason.STOP);
    assertThat(response.tokenUsage().outputTokenCount()).isEqualTo(8);
  }

  @Test
  void langchain4jOpenAiStreamsChatWithUsageFromNativeOllamaBackend() throws Exception {
    RecordingStreamHandler handler = new RecordingStreamHandler();

    streamingModel().chat("Why is the sky blue?", handler);

    ChatResponse response = handler.await();
    assertThat(handler.pieces).hasSizeGreaterThan(1);
    assertThat(String.join("", handler.pieces)).isEqualTo(ANSWER);
    assertThat(response.aiMessage().text()).isEqualTo(ANSWER);
    assertThat(response.tokenUsage().outputTokenCount()).as("from the usage chunk").isEqualTo(8);
    assertThat(proxy.bodiesSentTo("/api/chat").get(0).path("stream").asBoolean()).isTrue();
  }

  @Test
  void langchain4jOpenAiCompletesFromNativeOllamaBackend() {
    OpenAiLanguageModel model = OpenAiLanguageModel.builder().baseUrl(baseUrl()).apiKey("unused").modelName(MODEL)
        .timeout(TIMEOUT).maxRetries(0).build();

    assertThat(model.generate("Say hi").content()).isEqualTo(ANSWER);
  }

  @Test
  void langchain4jOpenAiEmbedsThroughNativeOllamaBackend() {
    OpenAiEmbeddingModel model = OpenAiEmbeddingModel.builder().baseUrl(baseUrl()).apiKey("unused")
        .modelName(EMBEDDING_MODEL).timeout(TIMEOUT).maxRetries(0).build();

    assertThat(model.embed("one").content().vectorAsList()).containsExactlyElementsOf(embeddingOf("one"));
    assertThat(proxy.bodiesSentTo("/api/embed").get(0).path("model").asText()).isEqualTo(EMBEDDING_MODEL);
  }

  @Test
  void langchain4jOpenAiListsNativeOllamaModels() {
    List<ModelDescription> models = OpenAiModelCatalog.builder().baseUrl(baseUrl()).apiKey("unused").build().listModels();

    assertThat(models).extracting(ModelDescription::name).containsExactly(MODEL + ":latest", EMBEDDING_MODEL + ":latest");
  }

  @Test
  void langchain4jOpenAiStreamsToolCallFromNativeOllamaBackend() throws Exception {
    RecordingStreamHandler handler = new RecordingStreamHandler();

    streamingModel().chat(ChatRequest.builder().messages(UserMessage.from(WeatherTool.QUESTION))
        .toolSpecifications(WeatherTool.LANGCHAIN4J).build(), handler);

    ChatResponse response = handler.await();
    WeatherTool.assertOneLangChain4jCall(response.aiMessage().toolExecutionRequests());
    assertThat(response.finishReason()).isEqualTo(FinishReason.TOOL_EXECUTION);
  }

  private String baseUrl() {
    return proxy.url() + "/v1";
  }

  private OpenAiStreamingChatModel streamingModel() {
    return OpenAiStreamingChatModel.builder().baseUrl(baseUrl()).apiKey("unused").modelName(MODEL).timeout(TIMEOUT).build();
  }
}
