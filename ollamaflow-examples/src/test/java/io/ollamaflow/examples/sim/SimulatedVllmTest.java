package io.ollamaflow.examples.sim;

import static io.ollamaflow.examples.sim.SimHttp.events;
import static io.ollamaflow.examples.sim.SimHttp.json;
import static io.ollamaflow.examples.sim.SimHttp.sseStream;
import static io.ollamaflow.examples.sim.SimulatedOllamaNativeTest.WEATHER_TOOL;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The {@link SimulatedOllama.Flavor#VLLM} flavor: vLLM's OpenAI server, over real sockets. */
class SimulatedVllmTest {
  private static final String MODEL = "Qwen/Qwen2.5-1.5B-Instruct";
  // Left open so that tests can add fields.
  private static final String CHAT = "{\"model\":\"" + MODEL + "\","
      + "\"messages\":[{\"role\":\"user\",\"content\":\"hello there\"}]";

  private SimulatedOllama sim;
  private SimHttp http;

  @BeforeEach
  void start() throws Exception {
    sim = SimulatedOllama.builder()
        .flavor(SimulatedOllama.Flavor.VLLM)
        .id("vllm-1")
        .models(List.of(MODEL, "intfloat/e5-small"))
        .tokenDelay(Duration.ZERO)
        .tokens(3)
        .start();
    http = new SimHttp(sim);
  }

  @AfterEach
  void stop() {
    sim.close();
  }

  @Test
  void healthIs200AndOllamaRoutesAre404InFastApiShape() {
    HttpResponse<String> health = http.get("/health");
    HttpResponse<String> tags = http.get("/api/tags");
    HttpResponse<String> chat = http.post("/api/chat", CHAT + "}");

    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(health.body()).isEmpty();
    for (HttpResponse<String> response : List.of(tags, chat, http.get("/v1/models/" + MODEL))) {
      assertThat(response.statusCode()).isEqualTo(404);
      assertThat(response.body()).isEqualTo("{\"detail\":\"Not Found\"}");
    }
    assertThat(http.get("/v1/chat/completions").body()).isEqualTo("{\"detail\":\"Method Not Allowed\"}");
  }

  @Test
  void modelsListServedNamesVerbatimWithVllmFields() {
    JsonNode list = json(http.get("/v1/models"));

    assertThat(sim.models()).containsExactly(MODEL, "intfloat/e5-small");
    assertThat(list.path("data")).extracting(m -> m.path("id").asText()).containsExactly(MODEL, "intfloat/e5-small");
    JsonNode card = list.path("data").get(0);
    assertThat(card.path("owned_by").asText()).isEqualTo("vllm");
    assertThat(card.path("root").asText()).isEqualTo(MODEL);
    assertThat(card.path("parent").isNull()).isTrue();
    assertThat(card.path("max_model_len").asInt()).isEqualTo(8192);
    assertThat(card.path("permission").get(0).path("object").asText()).isEqualTo("model_permission");
  }

  @Test
  void chatWithoutStreamReturnsVllmCompletion() {
    JsonNode reply = json(http.post("/v1/chat/completions", CHAT + "}"));

    assertThat(reply.path("id").asText()).matches("chatcmpl-[0-9a-f]{32}");
    assertThat(reply.has("system_fingerprint")).isFalse();
    JsonNode choice = reply.path("choices").get(0);
    assertThat(choice.path("message").path("content").asText()).isEqualTo("Hello from vllm-1.");
    assertThat(choice.path("message").path("tool_calls")).isEmpty();
    assertThat(choice.path("finish_reason").asText()).isEqualTo("stop");
    assertThat(choice.has("stop_reason")).isTrue();
    assertThat(reply.path("usage").path("prompt_tokens").asInt()).isEqualTo(2);
    assertThat(reply.path("usage").path("completion_tokens").asInt()).isEqualTo(3);
  }

  @Test
  void chatStreamsRoleFirstFinishWithLastTokenThenUsageAndDone() {
    HttpResponse<String> response = http.post("/v1/chat/completions",
        CHAT + ",\"stream\":true,\"stream_options\":{\"include_usage\":true}}");

    List<JsonNode> events = sseStream(response);
    assertThat(events).hasSize(5);
    assertThat(events.get(0).path("choices").get(0).path("delta").toString())
        .isEqualTo("{\"role\":\"assistant\",\"content\":\"\"}");
    assertThat(events.subList(1, 4)).extracting(e -> e.path("choices").get(0).path("delta").path("content").asText())
        .containsExactly("Hello", " from", " vllm-1.");
    JsonNode finish = events.get(3).path("choices").get(0);
    assertThat(finish.path("finish_reason").asText()).isEqualTo("stop");
    assertThat(finish.has("stop_reason")).isTrue();
    assertThat(events.get(2).path("choices").get(0).path("finish_reason").isNull()).isTrue();
    assertThat(events.get(4).path("choices")).isEmpty();
    assertThat(events.get(4).path("usage").path("total_tokens").asInt()).isEqualTo(5);
  }

  @Test
  void streamSendsUsageOnlyWhenStreamOptionsAskForIt() {
    String without = http.post("/v1/chat/completions", CHAT + ",\"stream\":true}").body();
    String declined = http.post("/v1/chat/completions",
        CHAT + ",\"stream\":true,\"stream_options\":{\"include_usage\":false}}").body();

    assertThat(events(without)).hasSize(4).noneMatch(e -> e.has("usage"));
    assertThat(events(declined)).hasSize(4).noneMatch(e -> e.has("usage"));
  }

  @Test
  void streamOptionsWithoutStreamIs400InVllmShape() {
    HttpResponse<String> response =
        http.post("/v1/chat/completions", CHAT + ",\"stream_options\":{\"include_usage\":true}}");

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body()).isEqualTo("{\"error\":{\"message\":\"Stream options can only be defined when "
        + "`stream=True`.\",\"type\":\"BadRequestError\",\"param\":null,\"code\":400}}");
  }

  @Test
  void unknownModelIs404ThatDoesNotExist() {
    HttpResponse<String> response = http.post("/v1/chat/completions",
        "{\"model\":\"llama3\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");

    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(response.body()).isEqualTo("{\"error\":{\"message\":\"The model `llama3` does not exist.\","
        + "\"type\":\"NotFoundError\",\"param\":\"model\",\"code\":404}}");
  }

  @Test
  void toolCallStreamsArgumentsInFragmentsByIndex() {
    String body = http.post("/v1/chat/completions", "{\"model\":\"" + MODEL + "\",\"stream\":true,\"tools\":["
        + WEATHER_TOOL + "],\"messages\":[{\"role\":\"user\",\"content\":\"What is the weather?\"}]}").body();

    List<JsonNode> events = events(body);
    JsonNode head = events.get(1).path("choices").get(0).path("delta").path("tool_calls").get(0);
    assertThat(head.path("id").asText()).matches("chatcmpl-tool-[0-9a-f]{32}");
    assertThat(head.path("type").asText()).isEqualTo("function");
    assertThat(head.path("index").asInt()).isZero();
    assertThat(head.path("function").path("name").asText()).isEqualTo("get_weather");
    assertThat(head.path("function").path("arguments").asText()).isEmpty();
    StringBuilder arguments = new StringBuilder();
    for (JsonNode event : events.subList(2, events.size())) {
      JsonNode fragment = event.path("choices").get(0).path("delta").path("tool_calls").get(0);
      assertThat(fragment.has("id")).isFalse();
      assertThat(fragment.path("index").asInt()).isZero();
      arguments.append(fragment.path("function").path("arguments").asText());
    }
    assertThat(events.size()).isGreaterThan(4);
    assertThat(arguments.toString()).isEqualTo("{\"city\":\"Paris\",\"days\":1}");
    assertThat(events.get(events.size() - 1).path("choices").get(0).path("finish_reason").asText())
        .isEqualTo("tool_calls");
  }

  @Test
  void toolCallWithoutStreamReturnsWholeCallWithStringArguments() {
    JsonNode reply = json(http.post("/v1/chat/completions", "{\"model\":\"" + MODEL + "\",\"tools\":["
        + WEATHER_TOOL + "],\"messages\":[{\"role\":\"user\",\"content\":\"weather in Paris\"}]}"));

    JsonNode choice = reply.path("choices").get(0);
    JsonNode call = choice.path("message").path("tool_calls").get(0);
    assertThat(choice.path("message").path("content").isNull()).isTrue();
    assertThat(call.path("id").asText()).startsWith("chatcmpl-tool-");
    assertThat(call.path("function").path("arguments").asText()).isEqualTo("{\"city\":\"Paris\",\"days\":1}");
    assertThat(choice.path("finish_reason").asText()).isEqualTo("tool_calls");
  }

  @Test
  void completionsStreamTextWithFinishOnTheLastToken() {
    HttpResponse<String> whole = http.post("/v1/completions", "{\"model\":\"" + MODEL + "\",\"prompt\":\"Say hi\"}");
    String stream = http.post("/v1/completions",
        "{\"model\":\"" + MODEL + "\",\"prompt\":\"Say hi\",\"stream\":true,\"max_tokens\":2}").body();

    assertThat(json(whole).path("id").asText()).matches("cmpl-[0-9a-f]{32}");
    assertThat(json(whole).path("choices").get(0).path("text").asText()).isEqualTo("Hello from vllm-1.");
    List<JsonNode> events = events(stream);
    assertThat(events).extracting(e -> e.path("choices").get(0).path("text").asText()).containsExactly("Hello", " from");
    assertThat(events.get(1).path("choices").get(0).path("finish_reason").asText()).isEqualTo("stop");
  }

  @Test
  void embeddingsAnswerFloatsOrBase64WithVllmUsage() {
    String body = "{\"model\":\"intfloat/e5-small\",\"input\":[\"one\",\"two\"]";
    JsonNode floats = json(http.post("/v1/embeddings", body + "}"));
    JsonNode base64 = json(http.post("/v1/embeddings", body + ",\"encoding_format\":\"base64\"}"));

    assertThat(floats.path("id").asText()).startsWith("embd-");
    assertThat(floats.path("model").asText()).isEqualTo("intfloat/e5-small");
    assertThat(floats.path("usage").path("prompt_tokens").asInt()).isEqualTo(2);
    assertThat(floats.path("usage").path("completion_tokens").asInt()).isZero();
    for (int i = 0; i < 2; i++) {
      ByteBuffer bytes = ByteBuffer.wrap(Base64.getDecoder().decode(base64.path("data").get(i).path("embedding").asText()))
          .order(ByteOrder.LITTLE_ENDIAN);
      for (JsonNode value : floats.path("data").get(i).path("embedding")) {
        assertThat(bytes.getFloat()).isEqualTo(value.floatValue());
      }
      assertThat(bytes.hasRemaining()).isFalse();
    }
  }
}
