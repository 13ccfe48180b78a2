package io.ollamaflow.examples.clients;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.PermissionDeniedException;
import com.openai.errors.RateLimitException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.langchain4j.exception.AuthenticationException;
import dev.langchain4j.model.openai.OpenAiChatModel;
import io.ollamaflow.api.ApiKey;
import io.ollamaflow.api.Backend;
import io.ollamaflow.api.Frontend;
import io.ollamaflow.core.FlowCluster;
import io.ollamaflow.core.InMemoryConfigStore;
import io.ollamaflow.core.http.FlowHttpServer;
import io.ollamaflow.examples.sim.SimulatedOllama;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * openai-java and LangChain4j against a frontend that requires an API key: a valid key works, a
 * wrong key, a model the key may not use and an exhausted quota each end in the exception type
 * the SDK maps that status to. Both SDKs retry 429 by default; the clients here are built with
 * {@code maxRetries(0)} so the first refusal is what the test sees.
 */
class ApiKeyClientsTest {
  private static final String MODEL = "llama3.2";
  private static final String ANSWER = "Hello from ollama-1. This is a simulated answer.";
  private static final String KEY = "sk-flow-clients-0123456789abcdef";
  private static final String ONE_PER_MINUTE = "sk-flow-one-per-minute-0123456789";
  private static final String WRONG = "sk-flow-wrong-0123456789abcdef";

  private SimulatedOllama backend;
  private FlowCluster cluster;
  private FlowHttpServer server;
  private OpenAIClient valid;
  private OpenAIClient wrong;
  private OpenAIClient metered;

  @BeforeEach
  void start() throws Exception {
    backend = SimulatedOllama.builder().flavor(SimulatedOllama.Flavor.OLLAMA_NATIVE_ONLY).id("ollama-1")
        .models(List.of(MODEL, "mistral")).tokenDelay(Duration.ofMillis(1)).start();
    InMemoryConfigStore store = new InMemoryConfigStore();
    Instant created = Instant.parse("2026-01-01T00:00:00Z");
    store.putApiKey(ApiKey.builder("clients").secret(KEY).models(List.of("llama3*")).createdUtc(created).build());
    store.putApiKey(ApiKey.builder("metered").secret(ONE_PER_MINUTE).requestsPerMinute(1).createdUtc(created).build());
    store.putBackend(Backend.builder("ollama-1").hostname("127.0.0.1").port(backend.port()).build());
    store.putFrontend(Frontend.builder("clients").backends(List.of("ollama-1")).requireApiKey(true).build());
    // A clock standing 30 s into a minute: the per-minute quota cannot roll over between two requests.
    Clock clock = Clock.fixed(Instant.parse("2026-01-01T10:00:30Z"), ZoneOffset.UTC);
    cluster = FlowCluster.builder().configStore(store).clock(clock).disableActiveHealthChecks().build();
    server = FlowHttpServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), cluster.httpHandler());
    valid = openAi(KEY);
    wrong = openAi(WRONG);
    metered = openAi(ONE_PER_MINUTE);
  }

  @AfterEach
  void stop() {
    valid.close();
    wrong.close();
    metered.close();
    server.close();
    cluster.close();
    backend.close();
  }

  private String baseUrl() {
    return "http://127.0.0.1:" + server.port() + "/v1";
  }

  private OpenAIClient openAi(String key) {
    return OpenAIOkHttpClient.builder().baseUrl(baseUrl()).apiKey(key).maxRetries(0).timeout(Duration.ofSeconds(10)).build();
  }

  private static ChatCompletionCreateParams chat(String model) {
    return ChatCompletionCreateParams.builder().model(model).addUserMessage("Why is the sky blue?").build();
  }

  private OpenAiChatModel langChain4j(String key, String model) {
    return OpenAiChatModel.builder().baseUrl(baseUrl()).apiKey(key).modelName(model)
        .timeout(Duration.ofSeconds(10)).maxRetries(0).build();
  }

  @Test
  void openAiJavaWithAValidKeyChatsAndTheKeyNeverReachesTheBackend() {
    assertThat(valid.chat().completions().create(chat(MODEL)).choices().get(0).message().content()).hasValue(ANSWER);
    SimulatedOllama.Request sent = backend.requests().stream().filter(r -> r.path().equals("/api/chat")).findFirst()
        .orElseThrow();
    assertThat(sent.header("Authorization")).isNull();
    assertThat(sent.headers().toString()).doesNotContain(KEY);
  }

  @Test
  void openAiJavaGetsUnauthorizedExceptionForAWrongKey() {
    assertThatThrownBy(() -> wrong.chat().completions().create(chat(MODEL)))
        .isInstanceOfSatisfying(UnauthorizedException.class, e -> {
          assertThat(e.statusCode()).isEqualTo(401);
          assertThat(e.getMessage()).contains("the API key in Authorization is not valid").doesNotContain(WRONG);
        });
  }

  @Test
  void openAiJavaGetsPermissionDeniedExceptionForAModelTheKeyMayNotUse() {
    assertThatThrownBy(() -> valid.chat().completions().create(chat("mistral")))
        .isInstanceOfSatisfying(PermissionDeniedException.class,
            e -> assertThat(e.getMessage()).contains("API key 'clients' may not use model 'mistral'"));
  }

  @Test
  void openAiJavaGetsRateLimitExceptionWithRetryAfterOnceTheQuotaIsSpent() {
    metered.chat().completions().create(chat(MODEL));
    assertThatThrownBy(() -> metered.chat().completions().create(chat(MODEL)))
        .isInstanceOfSatisfying(RateLimitException.class, e -> {
          assertThat(e.getMessage()).contains("API key 'metered' reached its RequestsPerMinute of 1");
          assertThat(e.headers().values("Retry-After")).containsExactly("30");
        });
  }

  @Test
  void langChain4jWithAValidKeyChats() {
    assertThat(langChain4j(KEY, MODEL).chat("Why is the sky blue?")).isEqualTo(ANSWER);
  }

  @Test
  void langChain4jGetsAuthenticationExceptionForAWrongKey() {
    assertThatThrownBy(() -> langChain4j(WRONG, MODEL).chat("Why is the sky blue?"))
        .isInstanceOf(AuthenticationException.class)
        .hasMessageContaining("the API key in Authorization is not valid");
  }

  @Test
  void langChain4jGetsRateLimitExceptionOnceTheQuotaIsSpent() {
    OpenAiChatModel model = langChain4j(ONE_PER_MINUTE, MODEL);
    assertThat(model.chat("Why is the sky blue?")).isEqualTo(ANSWER);
    assertThatThrownBy(() -> model.chat("Why is the sky blue?"))
        .isInstanceOf(dev.langchain4j.exception.RateLimitException.class)
        .hasMessageContaining("API key 'metered' reached its RequestsPerMinute of 1");
  }
}
