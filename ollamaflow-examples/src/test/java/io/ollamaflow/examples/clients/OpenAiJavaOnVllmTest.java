package io.ollamaflow.examples.clients;

import static org.assertj.core.api.Assertions.assertThat;

import com.openai.client.OpenAIClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import io.ollamaflow.api.RequestInfo;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * com.openai:openai-java streaming from a vLLM through the proxy, untranslated: the stream is the
 * client's whether or not it asked for usage, and the proxy counts its tokens either way.
 */
class OpenAiJavaOnVllmTest {
  private static final String MODEL = "Qwen/Qwen2.5-7B-Instruct";

  private TranslatingCluster proxy;
  private OpenAIClient client;

  @BeforeEach
  void start() throws Exception {
    proxy = TranslatingCluster.vllm("vllm-1", List.of(MODEL));
    client = proxy.openAiJava();
  }

  @AfterEach
  void stop() {
    client.close();
    proxy.close();
  }

  @Test
  void aStreamWithoutUsageAskedGetsNoUsageChunkAndItsTokensAreCounted() throws Exception {
    List<ChatCompletionChunk> chunks = stream(chat().build());

    assertThat(chunks).isNotEmpty().allSatisfy(chunk -> assertThat(chunk.choices()).isNotEmpty());
    assertThat(chunks).allSatisfy(chunk -> assertThat(chunk.usage()).isEmpty());
    assertThat(proxy.bodiesSentTo("/v1/chat/completions").get(0).path("stream_options").path("include_usage").asBoolean())
        .as("the proxy asked the vLLM for usage").isTrue();
    RequestInfo counted = proxy.nextFinished();
    assertThat(counted.outputTokens()).isPositive();
    assertThat(counted.inputTokens()).isPositive();
  }

  @Test
  void aStreamWithUsageAskedEndsWithTheUsageChunkTheProxyCountsToo() throws Exception {
    List<ChatCompletionChunk> chunks = stream(
        chat().streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build());

    ChatCompletionChunk last = chunks.get(chunks.size() - 1);
    assertThat(last.choices()).isEmpty();
    long completionTokens = last.usage().orElseThrow().completionTokens();
    assertThat(proxy.nextFinished().outputTokens()).isEqualTo(completionTokens);
  }

  private ChatCompletionCreateParams.Builder chat() {
    return ChatCompletionCreateParams.builder().model(MODEL).addUserMessage("Why is the sky blue?");
  }

  private List<ChatCompletionChunk> stream(ChatCompletionCreateParams params) {
    try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params)) {
      return stream.stream().toList();
    }
  }
}
