package io.ollamaflow.core.internal.translation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ollamaflow.api.ApiFormat;
import io.ollamaflow.api.ErrorCode;
import io.ollamaflow.api.FlowException;
import io.ollamaflow.api.RequestKind;
import io.ollamaflow.api.StreamTranslator;
import io.ollamaflow.api.TranslationContext;
import io.ollamaflow.core.internal.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the golden cases express badly: byte sniffing, arithmetic, generated ids, refusals and stream endings. */
class OllamaToOpenAiTest {
  private final OllamaToOpenAi translator = new OllamaToOpenAi();

  @Test
  void sniffsImageTypeFromFirstBytes() {
    assertThat(mime(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n'})).isEqualTo("image/png");
    assertThat(mime(new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xE0})).isEqualTo("image/jpeg");
    assertThat(mime("RIFF\0\0\0\0WEBPVP8 ".getBytes(StandardCharsets.ISO_8859_1))).isEqualTo("image/webp");
    assertThat(mime("GIF89a".getBytes(StandardCharsets.US_ASCII))).isEqualTo("image/gif");
    assertThat(mime("RIFF\0\0\0\0WAVEfmt ".getBytes(StandardCharsets.ISO_8859_1))).isEqualTo("image/jpeg");
    assertThat(ImageDataUrls.mimeType("AA", "images[0]")).isEqualTo("image/jpeg");
  }

  @Test
  void refusesImageWithDataUrlPrefix() {
    ObjectNode chat = json("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\","
        + "\"images\":[\"data:image/png;base64,iVBORw0KGgo=\"]}]}");
    assertRefused(() -> translator.translateRequest(context(RequestKind.CHAT, "/api/chat", chat), chat),
        ErrorCode.BAD_REQUEST, "messages[0].images[0] must be bare base64");
  }

  @Test
  void normalisesEmbeddingsToUnitLength() {
    JsonNode unit = OpenAiEmbeddingsToOllama.normalised(json("[0.0123, -0.0456, 0.0789, 0.5]"));
    double sumOfSquares = 0;
    for (JsonNode value : unit) sumOfSquares += value.asDouble() * value.asDouble();
    assertThat(sumOfSquares).isCloseTo(1.0, within(1e-12));
    assertThat(unit.get(1).asDouble() / unit.get(0).asDouble()).isCloseTo(-0.0456 / 0.0123, within(1e-9));
    assertThat(OpenAiEmbeddingsToOllama.normalised(json("[0.0, 0.0]"))).isEqualTo(json("[0.0, 0.0]"));
  }

  @Test
  void toolResultsGetTheIdsOfTheCallsTheyAnswer() {
    JsonNode messages = OllamaMessagesToOpenAi.translate(json("["
        + "{\"role\":\"assistant\",\"content\":\"\",\"tool_calls\":["
        + "{\"function\":{\"name\":\"get_weather\",\"arguments\":{\"city\":\"Paris\"}}},"
        + "{\"function\":{\"name\":\"get_weather\",\"arguments\":{\"city\":\"Rome\"}}},"
        + "{\"function\":{\"name\":\"get_time\",\"arguments\":{}}}]},"
        + "{\"role\":\"tool\",\"content\":\"10:42\",\"tool_name\":\"get_time\"},"
        + "{\"role\":\"tool\",\"content\":\"12 C\",\"tool_name\":\"get_weather\"},"
        + "{\"role\":\"tool\",\"content\":\"18 C\"}]"));
    JsonNode calls = messages.get(0).get("tool_calls");
    assertThat(calls.get(0).get("id").asText()).matches("call_[a-z0-9]{8}");
    assertThat(messages.get(1).get("tool_call_id")).isEqualTo(calls.get(2).get("id"));
    assertThat(messages.get(2).get("tool_call_id")).isEqualTo(calls.get(0).get("id"));
    assertThat(messages.get(3).get("tool_call_id")).isEqualTo(calls.get(1).get("id"));
  }

  @Test
  void refusesToolResultWithoutEarlierCall() {
    assertRefused(() -> OllamaMessagesToOpenAi.translate(json("[{\"role\":\"tool\",\"content\":\"1\",\"tool_name\":\"f\"}]")),
        ErrorCode.BAD_REQUEST, "messages[0] is a tool result without an earlier tool call");
  }

  @Test
  void mapsThinkLevelsToReasoningEffort() {
    assertThat(sentFor("{\"think\":\"low\"}").get("reasoning_effort").asText()).isEqualTo("low");
    assertThat(sentFor("{\"think\":\"medium\"}").get("reasoning_effort").asText()).isEqualTo("medium");
    assertThat(sentFor("{\"think\":\"max\"}").get("reasoning_effort").asText()).isEqualTo("high");
    assertRefused(() -> sentFor("{\"think\":\"extreme\"}"), ErrorCode.BAD_REQUEST, "think must be");
  }

  @Test
  void omitsMaxTokensWhenNumPredictMeansNoLimit() {
    assertThat(sentFor("{\"options\":{\"num_predict\":-1}}").has("max_tokens")).isFalse();
    assertThat(sentFor("{\"options\":{\"num_predict\":-2}}").has("max_tokens")).isFalse();
  }

  @Test
  void formatJsonAsksForJsonObject() {
    assertThat(sentFor("{\"format\":\"json\"}").get("response_format")).isEqualTo(json("{\"type\":\"json_object\"}"));
    assertRefused(() -> sentFor("{\"format\":\"yaml\"}"), ErrorCode.BAD_REQUEST, "format must be");
  }

  @Test
  void refusesNonNeutralSamplerOptions() {
    assertRefused(() -> sentFor("{\"options\":{\"typical_p\":0.7}}"), ErrorCode.BAD_REQUEST, "options.typical_p");
    assertRefused(() -> sentFor("{\"options\":{\"penalize_newline\":true}}"), ErrorCode.BAD_REQUEST, "options.penalize_newline");
  }

  @Test
  void streamEndingBeforeFinishReasonIsBackendError() {
    StreamTranslator stream = chatStream();
    assertThat(stream.onEvent(json("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"},\"finish_reason\":null}]}")))
        .hasSize(1);
    assertRefused(stream::onEnd, ErrorCode.BACKEND_ERROR, "ended before its finish reason");
  }

  @Test
  void streamWithoutUsageEndsWhenBackendStreamEnds() {
    StreamTranslator stream = chatStream();
    assertThat(stream.onEvent(json("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"},\"finish_reason\":\"length\"}]}")))
        .hasSize(1);
    List<ObjectNode> end = stream.onEnd();
    assertThat(end).hasSize(1);
    assertThat(end.get(0).get("done").asBoolean()).isTrue();
    assertThat(end.get(0).get("done_reason").asText()).isEqualTo("length");
    assertThat(end.get(0).has("eval_count")).isFalse();
  }

  @Test
  void streamedToolCallArgumentsThatAreNotJsonAreBackendError() {
    StreamTranslator stream = chatStream();
    assertRefused(() -> stream.onEvent(json("{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,"
            + "\"id\":\"chatcmpl-tool-1\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{\\\"a\\\":\"}}]},"
            + "\"finish_reason\":\"tool_calls\"}]}")),
        ErrorCode.BACKEND_ERROR, "not a JSON object");
  }

  @Test
  void showOfModelMissingFromListIsModelNotFound() {
    ObjectNode show = json("{\"model\":\"llama3.2\"}");
    assertRefused(() -> translator.translateResponse(context(RequestKind.SHOW_MODEL, "/api/show", show),
            json("{\"object\":\"list\",\"data\":[{\"id\":\"Qwen/Qwen3-8B\",\"object\":\"model\",\"created\":1}]}")),
        ErrorCode.MODEL_NOT_FOUND, "model 'llama3.2' not found");
  }

  private StreamTranslator chatStream() {
    ObjectNode chat = json("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    return translator.newStreamTranslator(context(RequestKind.CHAT, "/api/chat", chat));
  }

  /** The backend body for a chat request with these extra fields. */
  private ObjectNode sentFor(String fields) {
    ObjectNode chat = json("{\"model\":\"m\",\"stream\":false,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    chat.setAll((ObjectNode) json(fields));
    return translator.translateRequest(context(RequestKind.CHAT, "/api/chat", chat), chat).body();
  }

  private static String mime(byte[] head) {
    return ImageDataUrls.mimeType(Base64.getEncoder().encodeToString(head), "images[0]");
  }

  private static void assertRefused(Runnable call, ErrorCode code, String message) {
    assertThatThrownBy(call::run).isInstanceOfSatisfying(FlowException.class, e -> {
      assertThat(e.code()).isEqualTo(code);
      assertThat(e.getMessage()).contains(message);
    });
  }

  @SuppressWarnings("unchecked")
  private static <T extends JsonNode> T json(String text) {
    try {
      return (T) Json.MAPPER.readTree(text);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static TranslationContext context(RequestKind kind, String path, ObjectNode body) {
    return new TranslationContext() {
      @Override public RequestKind kind() { return kind; }
      @Override public String clientPath() { return path; }
      @Override public String model() { return body.path("model").asText(); }
      @Override public boolean stream() { return ClientStreams.requested(ApiFormat.OLLAMA, kind, body); }
      @Override public ObjectNode clientRequest() { return body; }
      @Override public long elapsedNanos() { return 1_000_000L; }
    };
  }
}
