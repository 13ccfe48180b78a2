package io.ollamaflow.examples.spring;

import static io.ollamaflow.examples.spring.RunningApp.firstBackend;
import static org.assertj.core.api.Assertions.assertThat;

import io.ollamaflow.examples.sim.SimulatedOllama;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.ollama.OllamaChatModel;
import org.springframework.ai.ollama.api.OllamaApi;
import org.springframework.ai.ollama.api.OllamaChatOptions;
import org.springframework.ai.openai.OpenAiChatModel;
import org.springframework.ai.openai.OpenAiChatOptions;
import org.springframework.ai.openai.api.OpenAiApi;

/**
 * Spring AI 1.1's Ollama and OpenAI chat clients, built as a Spring user builds them, pointed at
 * the example application's {@code /llm} (Tomcat), over a simulated Ollama backend.
 */
class SpringAiClientsTest {
  private static final String ANSWER = "Hello from sim-1. This is a simulated answer.";
  private static final int TOKENS = 8;

  private static SimulatedOllama backend;
  private static RunningApp app;

  @BeforeAll
  static void start() throws Exception {
    backend = SimulatedOllama.builder().id("sim-1").models(List.of("llama3.2:latest")).tokens(TOKENS).start();
    app = RunningApp.start(firstBackend(backend.port())).awaitModel("llama3.2");
  }

  @AfterAll
  static void stop() {
    if (app != null) app.close();
    if (backend != null) backend.close();
  }

  private static String llmUrl() {
    return "http://127.0.0.1:" + app.port() + "/llm";
  }

  @Test
  void springAiOllamaChatModelGetsTheAnswerWholeAndStreamedTokenByToken() {
    ChatModel chat = OllamaChatModel.builder()
        .ollamaApi(OllamaApi.builder().baseUrl(llmUrl()).build())
        .defaultOptions(OllamaChatOptions.builder().model("llama3.2").build())
        .build();

    assertAnswersWholeAndStreamed(chat);
    assertThat(backend.requests()).anySatisfy(r -> assertThat(r.path()).isEqualTo("/api/chat"));
  }

  @Test
  void springAiOpenAiChatModelGetsTheAnswerWholeAndStreamedTokenByToken() {
    ChatModel chat = OpenAiChatModel.builder()
        .openAiApi(OpenAiApi.builder().baseUrl(llmUrl()).apiKey("not-checked").build())
        .defaultOptions(OpenAiChatOptions.builder().model("llama3.2").build())
        .build();

    assertAnswersWholeAndStreamed(chat);
  }

  private static void assertAnswersWholeAndStreamed(ChatModel chat) {
    assertThat(chat.call(new Prompt("Why is the sky blue?")).getResult().getOutput().getText()).isEqualTo(ANSWER);

    List<String> pieces = chat.stream(new Prompt("Why is the sky blue?")).collectList().block().stream()
        .map(SpringAiClientsTest::text).filter(text -> !text.isEmpty()).toList();
    assertThat(String.join("", pieces)).isEqualTo(ANSWER);
    assertThat(pieces).as("one piece per token").hasSize(TOKENS);
  }

  private static String text(ChatResponse response) {
    if (response.getResult() == null || response.getResult().getOutput().getText() == null) return "";
    return response.getResult().getOutput().getText();
  }
}
