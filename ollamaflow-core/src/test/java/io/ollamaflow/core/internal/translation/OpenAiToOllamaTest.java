package io.ollamaflow.core.internal.translation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ollamaflow.api.ErrorCode;
import io.ollamaflow.api.FlowException;
import io.ollamaflow.api.RequestKind;
import io.ollamaflow.api.StreamTranslator;
import io.ollamaflow.api.TranslationContext;
import io.ollamaflow.core.internal.json.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the golden cases cannot show: exact base64 bytes, ids shared within a stream and unique across answers. */
class OpenAiToOllamaTest {
  private final OpenAiToOllama translator = new OpenAiToOllama();

  @Test
  void base64EmbeddingDecodesToTheSameFloat32Values() throws IOException {
    float[] vector = {0.010071029f, -0.0017594862f, 1.0e-3f, Float.MIN_VALUE, -0.0f, 123456.79f};
    JsonNode json = Json.MAPPER.readTree(Json.MAPPER.writeValueAsString(vector));

    ByteBuffer decoded = ByteBuffer.wrap(Base64.getDecoder().decode(OllamaAnswersToOpenAi.base64(json)))
        .order(ByteOrder.LITTLE_ENDIAN);

    assertThat(decoded.remaining()).isEqualTo(vector.length * Float.BYTES);
    for (float value : vector) assertThat(decoded.getFloat()).isEqualTo(value);
  }

  @Test
  void streamChunksShareOneIdAndCreatedWhileStreamsDiffer() throws IOException {
    List<ObjectNode> first = stream(
        "{\"model\":\"m\",\"created_at\":\"2025-08-14T09:30:02.1-07:00\",\"message\":{\"role\":\"assistant\",\"content\":\"a\"},\"done\":false}",
        "{\"model\":\"m\",\"created_at\":\"2025-08-14T09:30:09.9-07:00\",\"message\":{\"role\":\"assistant\",\"content\":\"\"},\"done\":true,\"done_reason\":\"stop\"}");
    List<ObjectNode> second = stream(
        "{\"model\":\"m\",\"created_at\":\"2025-08-14T09:30:02.1-07:00\",\"message\":{\"role\":\"assistant\",\"content\":\"\"},\"done\":true}");

    assertThat(first).hasSize(2).extracting(chunk -> chunk.get("id").asText()).containsOnly(first.get(0).get("id").asText());
    assertThat(first).extracting(chunk -> chunk.get("created").asLong()).containsOnly(1755189002L);
    assertThat(first.get(0).get("id").asText()).startsWith("chatcmpl-").isNotEqualTo(second.get(0).get("id").asText());
  }

  @Test
  void streamWithoutItsFinalLineEndsInABackendError() throws IOException {
    StreamTranslator stream = translator.newStreamTranslator(chatContext());
    stream.onEvent((ObjectNode) Json.MAPPER.readTree(
        "{\"model\":\"m\",\"created_at\":\"2025-08-14T09:30:02.1-07:00\",\"message\":{\"role\":\"assistant\",\"content\":\"a\"},\"done\":false}"));

    assertThatThrownBy(stream::onEnd)
        .isInstanceOfSatisfying(FlowException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BACKEND_ERROR));
  }

  @Test
  void translatesOnlyTheKindsItKnows() {
    assertThat(RequestKind.values()).filteredOn(translator::supports).containsExactlyInAnyOrder(
        RequestKind.CHAT, RequestKind.COMPLETION, RequestKind.EMBEDDINGS, RequestKind.LIST_MODELS, RequestKind.SHOW_MODEL);
  }

  private List<ObjectNode> stream(String... lines) throws IOException {
    StreamTranslator stream = translator.newStreamTranslator(chatContext());
    List<ObjectNode> chunks = new ArrayList<>();
    for (String line : lines) chunks.addAll(stream.onEvent((ObjectNode) Json.MAPPER.readTree(line)));
    chunks.addAll(stream.onEnd());
    return chunks;
  }

  private static TranslationContext chatContext() {
    ObjectNode client = Json.MAPPER.createObjectNode().put("model", "m").put("stream", true);
    return new Context(RequestKind.CHAT, "/v1/chat/completions", "m", true, client, 0);
  }

  private record Context(RequestKind kind, String clientPath, String model, boolean stream, ObjectNode clientRequest,
      long elapsedNanos) implements TranslationContext {}
}
