package io.ollamaflow.examples.sim;

import static io.ollamaflow.examples.sim.SimHttp.events;
import static io.ollamaflow.examples.sim.SimHttp.json;
import static io.ollamaflow.examples.sim.SimHttp.sseStream;
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

class SimulatedOllamaOpenAiTest {
  // Left open so that tests can add fields.
  private static final String CHAT =
      "{\"model\":\"llama3\",\"messages\":[{\"role\":\"user\",\"content\":\"hello there\"}]";

  private SimulatedOllama sim;
  private SimHttp http;

  @BeforeEach
  void start() throws Exception {
    sim = SimulatedOllama.builder()
        .id("sim-2")
        .models(List.of("llama3", "hf.co/user/repo:q4"))
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
  void openAiChatWithoutStreamReturnsChatCompletion() {
    HttpResponse<String> response = http.post("/v1/chat/completions", CHAT + "}");

    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json; charset=utf-8");
    JsonNode reply = json(response);
    assertThat(reply.path("object").asText()).isEqualTo("chat.completion");
    assertThat(reply.path("id").asText()).startsWith("chatcmpl-");
    assertThat(reply.path("model").asText()).isEqualTo("llama3");
    JsonNode choice = reply.path("choices").get(0);
    assertThat(choice.path("message").path("role").asText()).isEqualTo("assistant");
    assertThat(choice.path("message").path("content").asText()).isEqualTo("Hello from sim-2.");
    assertThat(choice.path("finish_reason").asText()).isEqualTo("stop");
    assertThat(reply.path("usage").path("prompt_tokens").asInt()).isEqualTo(2);
    assertThat(reply.path("usage").path("completion_tokens").asInt()).isEqualTo(3);
    assertThat(reply.path("usage").path("total_tokens").asInt()).isEqualTo(5);
  }

  @Test
  void openAiChatStreamsSseEndingWithDone() {
    HttpResponse<String> response = http.post("/v1/chat/completions",
        CHAT + ",\"stream\":true,\"stream_options\":{\"include_usage\":true}}");

    List<JsonNode> events = sseStream(response);
    assertThat(events).hasSize(5);
    assertThat(events).extracting(event -> event.path("object").asText()).containsOnly("chat.completion.chunk");
    JsonNode first = events.get(0).path("choices").get(0);
    assertThat(first.path("delta").path("role").asText()).isEqualTo("assistant");
    assertThat(first.path("delta").path("content").asText()).isEqualTo("Hello");
    assertThat(first.path("finish_reason").isNull()).isTrue();
    assertThat(events.get(1).path("choices").get(0).path("delta").has("role")).isFalse();
    JsonNode finish = events.get(3).path("choices").get(0);
    assertThat(finish.path("delta").isEmpty()).isTrue();
    assertThat(finish.path("finish_reason").asText()).isEqualTo("stop");
    assertThat(events.get(4).path("choices")).isEmpty();
    assertThat(events.get(4).path("usage").path("completion_tokens").asInt()).isEqualTo(3);
  }

  @Test
  void openAiCompletionsStreamTextChunks() {
    HttpResponse<String> response = http.post("/v1/completions",
        "{\"model\":\"llama3\",\"prompt\":\"Say hi\",\"stream\":true,\"max_tokens\":2}");

    List<JsonNode> events = events(response.body());
    assertThat(events).extracting(event -> event.path("object").asText()).containsOnly("text_completion");
    assertThat(events).extracting(event -> event.path("choices").get(0).path("text").asText())
        .containsExactly("Hello", " from", "");
    assertThat(events.get(2).path("choices").get(0).path("finish_reason").asText()).isEqualTo("stop");
    assertThat(response.body()).endsWith("data: [DONE]\n\n");
  }

  @Test
  void openAiCompletionsWithoutStreamReturnTextCompletion() {
    JsonNode reply = json(http.post("/v1/completions", "{\"model\":\"llama3\",\"prompt\":\"Say hi\"}"));

    assertThat(reply.path("object").asText()).isEqualTo("text_completion");
    assertThat(reply.path("choices").get(0).path("text").asText()).isEqualTo("Hello from sim-2.");
    assertThat(reply.path("usage").path("prompt_tokens").asInt()).isEqualTo(2);
  }

  @Test
  void embeddingsBase64EncodingDecodesToSameFloats() {
    String body = "{\"model\":\"llama3\",\"input\":[\"one\",\"two\"]";
    JsonNode floats = json(http.post("/v1/embeddings", body + "}"));
    JsonNode base64 = json(http.post("/v1/embeddings", body + ",\"encoding_format\":\"base64\"}"));

    assertThat(floats.path("object").asText()).isEqualTo("list");
    assertThat(floats.path("usage").path("prompt_tokens").asInt()).isEqualTo(2);
    for (int i = 0; i < 2; i++) {
      JsonNode expected = floats.path("data").get(i);
      assertThat(expected.path("index").asInt()).isEqualTo(i);
      assertThat(expected.path("object").asText()).isEqualTo("embedding");
      String encoded = base64.path("data").get(i).path("embedding").asText();
      ByteBuffer bytes = ByteBuffer.wrap(Base64.getDecoder().decode(encoded)).order(ByteOrder.LITTLE_ENDIAN);
      assertThat(bytes.remaining()).isEqualTo(8 * Float.BYTES);
      for (JsonNode value : expected.path("embedding")) {
        assertThat(bytes.getFloat()).isEqualTo(value.floatValue());
      }
    }
  }

  @Test
  void embeddingsRejectUnknownEncodingAndEmptyInput() {
    HttpResponse<String> format =
        http.post("/v1/embeddings", "{\"model\":\"llama3\",\"input\":\"x\",\"encoding_format\":\"hex\"}");
    HttpResponse<String> empty = http.post("/v1/embeddings", "{\"model\":\"llama3\",\"input\":[]}");

    assertThat(format.statusCode()).isEqualTo(400);
    assertThat(json(format).path("error").path("message").asText()).startsWith("Invalid value for 'encoding_format'");
    assertThat(empty.statusCode()).isEqualTo(400);
    assertThat(json(empty).path("error").path("type").asText()).isEqualTo("invalid_request_error");
  }

  @Test
  void modelsListAndRetrieveDecodedIds() {
    JsonNode list = json(http.get("/v1/models"));
    assertThat(list.path("object").asText()).isEqualTo("list");
    assertThat(list.path("data")).extracting(m -> m.path("id").asText())
        .containsExactly("llama3:latest", "hf.co/user/repo:q4");
    assertThat(list.path("data").get(0).path("owned_by").asText()).isEqualTo("library");
    assertThat(list.path("data").get(0).path("created").asLong()).isPositive();

    JsonNode retrieved = json(http.get("/v1/models/hf.co%2Fuser%2Frepo:q4"));
    assertThat(retrieved.path("id").asText()).isEqualTo("hf.co/user/repo:q4");
    assertThat(retrieved.path("owned_by").asText()).isEqualTo("user");
    assertThat(json(http.get("/v1/models/llama3")).path("id").asText()).isEqualTo("llama3");
  }

  @Test
  void unknownModelGets404InOpenAiShape() {
    HttpResponse<String> retrieve = http.get("/v1/models/nope");
    HttpResponse<String> chat = http.post("/v1/chat/completions",
        "{\"model\":\"nope\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");

    for (HttpResponse<String> response : List.of(retrieve, chat)) {
      assertThat(response.statusCode()).isEqualTo(404);
      assertThat(response.body()).isEqualTo("{\"error\":{\"message\":\"model 'nope' not found\","
          + "\"type\":\"not_found_error\",\"param\":null,\"code\":null}}");
    }
  }

  @Test
  void chatWithoutMessagesIs400() {
    HttpResponse<String> response = http.post("/v1/chat/completions", "{\"model\":\"llama3\",\"messages\":[]}");

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(json(response).path("error").path("message").asText()).isEqualTo("[] is too short - 'messages'");
  }
}
