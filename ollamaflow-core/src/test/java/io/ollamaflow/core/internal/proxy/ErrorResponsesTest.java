package io.ollamaflow.core.internal.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ollamaflow.api.ApiFormat;
import io.ollamaflow.api.ErrorCode;
import io.ollamaflow.api.FlowException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ErrorResponsesTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  @Test
  void ollamaDialectIsExactlyErrorStringOnOneLine() {
    FlowException e = new FlowException(ErrorCode.MODEL_NOT_FOUND, "model 'llama3' not found");

    assertThat(text(ErrorResponses.body(ApiFormat.OLLAMA, e))).isEqualTo("{\"error\":\"model 'llama3' not found\"}");
  }

  @Test
  void pluginDialectFallsBackToOllamaShape() {
    FlowException e = new FlowException(ErrorCode.BAD_REQUEST, "bad");

    assertThat(text(ErrorResponses.body(ApiFormat.of("Gemini"), e))).isEqualTo("{\"error\":\"bad\"}");
  }

  @Test
  void openAiDialectIsErrorObjectWithMessageTypeParamAndCode() {
    FlowException e = new FlowException(ErrorCode.MODEL_NOT_FOUND, "model 'llama3' not found");

    assertThat(text(ErrorResponses.body(ApiFormat.OPENAI, e))).isEqualTo(
        "{\"error\":{\"message\":\"model 'llama3' not found\",\"type\":\"not_found_error\",\"param\":null,"
            + "\"code\":\"model_not_found\"}}");
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      "NOT_FOUND, not_found_error",
      "MODEL_NOT_FOUND, not_found_error",
      "BAD_REQUEST, invalid_request_error",
      "NO_FRONTEND, invalid_request_error",
      "METHOD_NOT_ALLOWED, invalid_request_error",
      "PAYLOAD_TOO_LARGE, invalid_request_error",
      "UNAUTHORIZED, authentication_error",
      "FORBIDDEN, permission_error",
      "BACKEND_BUSY, rate_limit_error",
      "INTERNAL, api_error",
      "BACKEND_ERROR, api_error",
      "NO_HEALTHY_BACKEND, api_error",
      "FRONTEND_INACTIVE, api_error",
      "TIMEOUT, api_error",
  })
  void openAiTypeFollowsHttpStatus(ErrorCode code, String type) throws IOException {
    JsonNode json = MAPPER.readTree(ErrorResponses.body(ApiFormat.OPENAI, new FlowException(code, "m")));

    JsonNode error = json.get("error");
    assertThat(json.size()).isEqualTo(1);
    assertThat(error.get("type").asText()).isEqualTo(type);
    assertThat(error.get("message").asText()).isEqualTo("m");
    assertThat(error.has("param")).isTrue();
    assertThat(error.get("param").isNull()).isTrue();
    assertThat(error.get("code").asText()).isEqualTo(code.name().toLowerCase(java.util.Locale.ROOT));
    assertThat(error.size()).isEqualTo(4);
  }

  @Test
  void quotesAndNewlinesInMessagesAreEscapedOnOneLine() throws IOException {
    String message = "model \"llama3\"\nnot found \\ here\ttab";
    FlowException e = new FlowException(ErrorCode.NOT_FOUND, message);

    String ollama = text(ErrorResponses.body(ApiFormat.OLLAMA, e));
    String openAi = text(ErrorResponses.body(ApiFormat.OPENAI, e));

    assertThat(ollama).isEqualTo("{\"error\":\"model \\\"llama3\\\"\\nnot found \\\\ here\\ttab\"}");
    assertThat(ollama).doesNotContain("\n").doesNotContain("\r");
    assertThat(openAi).doesNotContain("\n").doesNotContain("\r");
    assertThat(MAPPER.readTree(ollama).get("error").asText()).isEqualTo(message);
    assertThat(MAPPER.readTree(openAi).get("error").get("message").asText()).isEqualTo(message);
  }

  @Test
  void nonAsciiMessagesAreUtf8() throws IOException {
    FlowException e = new FlowException(ErrorCode.NOT_FOUND, "modèle «llama3» 🦙");

    assertThat(MAPPER.readTree(ErrorResponses.body(ApiFormat.OLLAMA, e)).get("error").asText())
        .isEqualTo("modèle «llama3» 🦙");
  }

  @Test
  void sseStreamEventIsDataLineAndBlankLine() {
    FlowException e = new FlowException(ErrorCode.BACKEND_ERROR, "backend 'b1' failed");

    assertThat(text(ErrorResponses.streamEvent(ApiFormat.OPENAI, e, true))).isEqualTo(
        "data: {\"error\":{\"message\":\"backend 'b1' failed\",\"type\":\"api_error\",\"param\":null,"
            + "\"code\":\"backend_error\"}}\n\n");
  }

  @Test
  void ndjsonStreamEventIsOneLine() {
    FlowException e = new FlowException(ErrorCode.TIMEOUT, "backend 'b1' went silent");

    assertThat(text(ErrorResponses.streamEvent(ApiFormat.OLLAMA, e, false)))
        .isEqualTo("{\"error\":\"backend 'b1' went silent\"}\n");
  }

  @Test
  void streamEventEscapesNewlinesSoTheEventStaysOneLine() {
    FlowException e = new FlowException(ErrorCode.BACKEND_ERROR, "line1\nline2\n\ndata: fake");

    String sse = text(ErrorResponses.streamEvent(ApiFormat.OPENAI, e, true));
    String ndjson = text(ErrorResponses.streamEvent(ApiFormat.OLLAMA, e, false));

    assertThat(sse).startsWith("data: {").endsWith("}\n\n");
    assertThat(sse.substring(0, sse.length() - 2)).doesNotContain("\n");
    assertThat(ndjson).endsWith("}\n");
    assertThat(ndjson.substring(0, ndjson.length() - 1)).doesNotContain("\n");
  }

  @Test
  void streamEventBodyIsTheSameJsonAsTheResponseBody() {
    FlowException e = new FlowException(ErrorCode.BACKEND_BUSY, "busy");

    assertThat(text(ErrorResponses.streamEvent(ApiFormat.OLLAMA, e, false)))
        .isEqualTo(text(ErrorResponses.body(ApiFormat.OLLAMA, e)) + "\n");
    assertThat(text(ErrorResponses.streamEvent(ApiFormat.OPENAI, e, true)))
        .isEqualTo("data: " + text(ErrorResponses.body(ApiFormat.OPENAI, e)) + "\n\n");
  }
}
