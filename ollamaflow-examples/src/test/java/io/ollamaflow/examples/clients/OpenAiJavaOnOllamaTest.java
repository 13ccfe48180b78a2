package io.ollamaflow.examples.clients;

import static io.ollamaflow.examples.clients.TranslatingCluster.embeddingOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.NotFoundException;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import com.openai.models.models.Model;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** com.openai:openai-java, an OpenAI client, served by an Ollama without /v1 through the proxy's translation. */
class OpenAiJavaOnOllamaTest {
  private static final String MODEL = "llama3.2";
  private static final String EMBEDDING_MODEL = "nomic-embed-text";
  private static final String ANSWER = "Hello from ollama-1. This is a simulated answer.";

  private TranslatingCluster proxy;
  private OpenAIClient client;

  @BeforeEach
  void start() throws Exception {
    proxy = TranslatingCluster.nativeOllama("ollama-1", List.of(MODEL, EMBEDDING_MODEL));
    client = proxy.openAiJava();
  }

  @AfterEach
  void stop() {
    client.close();
    proxy.close();
  }

  @Test
  void openAiJavaChatsWithNativeOllamaBackend() {
    ChatCompletion completion = client.chat().completions().create(chat("Why is the sky blue?").build());

    ChatCompletion.Choice choice = completion.choices().get(0);
    assertThat(choice.message().content()).hasValue(ANSWER);
    assertThat(choice.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
    assertThat(completion.usage().orElseThrow().completionTokens()).isEqualTo(8);
    JsonNode sent = proxy.bodiesSentTo("/api/chat").get(0);
    assertThat(sent.path("messages").get(0).path("content").asText()).isEqualTo("Why is the sky blue?");
    assertThat(sent.path("stream").isBoolean()).as("Ollama streams unless told not to").isTrue();
    assertThat(sent.path("stream").asBoolean()).isFalse();
  }

  @Test
  void openAiJavaStreamsChatWithUsageFromNativeOllamaBackend() {
    StringBuilder text = new StringBuilder();
    List<ChatCompletionChunk> chunks;
    try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(
        chat("Why is the sky blue?").streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build())) {
      chunks = stream.stream().toList();
    }
    chunks.forEach(chunk -> chunk.choices().forEach(choice -> choice.delta().content().ifPresent(text::append)));

    assertThat(text.toString()).isEqualTo(ANSWER);
    assertThat(chunks.stream().filter(chunk -> !chunk.choices().isEmpty()).count()).isGreaterThan(2);
    assertThat(chunks).extracting(ChatCompletionChunk::id).containsOnly(chunks.get(0).id());
    ChatCompletionChunk last = chunks.get(chunks.size() - 1);
    assertThat(last.choices()).isEmpty();
    assertThat(last.usage().orElseThrow().completionTokens()).isEqualTo(8);
    assertThat(chunks.get(chunks.size() - 2).choices().get(0).finishReason())
        .hasValue(ChatCompletionChunk.Choice.FinishReason.STOP);
  }

  @Test
  void openAiJavaCompletesFromNativeOllamaBackend() {
    String text = client.completions().create(CompletionCreateParams.builder().model(MODEL).prompt("Say hi").build())
        .choices().get(0).text();

    assertThat(text).isEqualTo(ANSWER);
    assertThat(proxy.bodiesSentTo("/api/generate").get(0).path("prompt").asText()).isEqualTo("Say hi");
  }

  @Test
  void openAiJavaDecodesBase64EmbeddingsFromNativeOllamaBackend() {
    CreateEmbeddingResponse response = client.embeddings().create(EmbeddingCreateParams.builder()
        .model(EMBEDDING_MODEL).inputOfArrayOfStrings(List.of("one", "two")).build());

    assertThat(response.data()).hasSize(2);
    assertThat(response.data().get(0).embedding()).containsExactlyElementsOf(embeddingOf("one"));
    assertThat(response.data().get(1).embedding()).containsExactlyElementsOf(embeddingOf("two"));
    assertThat(response.data().get(1).index()).isEqualTo(1);
    assertThat(response.usage().promptTokens()).isEqualTo(2);
  }

  @Test
  void openAiJavaListsAndRetrievesNativeOllamaModels() {
    List<Model> models = client.models().list().data();
    Model retrieved = client.models().retrieve(MODEL + ":latest");

    assertThat(models).extracting(Model::id).containsExactly(MODEL + ":latest", EMBEDDING_MODEL + ":latest");
    assertThat(models).extracting(Model::ownedBy).containsOnly("library");
    assertThat(retrieved.id()).isEqualTo(MODEL + ":latest");
    assertThat(retrieved.created()).isPositive();
  }

  @Test
  void openAiJavaGetsToolCallFromNativeOllamaBackend() {
    ChatCompletion completion = client.chat().completions().create(chat(WeatherTool.QUESTION)
        .addFunctionTool(FunctionDefinition.builder().name(WeatherTool.NAME).description("Current weather in a city")
            .parameters(FunctionParameters.builder()
                .putAdditionalProperty("type", JsonValue.from("object"))
                .putAdditionalProperty("properties", JsonValue.from(Map.of(
                    "city", Map.of("type", "string"), "days", Map.of("type", "integer"))))
                .putAdditionalProperty("required", JsonValue.from(List.of("city")))
                .build())
            .build())
        .build());

    ChatCompletion.Choice choice = completion.choices().get(0);
    ChatCompletionMessageFunctionToolCall call = choice.message().toolCalls().orElseThrow().get(0).asFunction();
    assertThat(call.function().name()).isEqualTo(WeatherTool.NAME);
    WeatherTool.assertArguments(call.function().arguments());
    assertThat(call.id()).isNotBlank();
    assertThat(choice.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
    assertThat(proxy.bodiesSentTo("/api/chat").get(0).path("tools").get(0).path("function").path("name").asText())
        .isEqualTo(WeatherTool.NAME);
  }

  @Test
  void openAiJavaGetsNotFoundErrorForModelOllamaLacks() {
    assertThatThrownBy(() -> client.chat().completions().create(
        ChatCompletionCreateParams.builder().model("mistral").addUserMessage("hi").build()))
        .isInstanceOfSatisfying(NotFoundException.class, e -> {
          assertThat(e.statusCode()).isEqualTo(404);
          // OpenAI's own wording for an unknown model, not Ollama's "model 'mistral' not found".
          assertThat(e.getMessage()).contains("The model `mistral` does not exist.");
        });
  }

  private static ChatCompletionCreateParams.Builder chat(String question) {
    return ChatCompletionCreateParams.builder().model(MODEL).addUserMessage(question);
  }
}
