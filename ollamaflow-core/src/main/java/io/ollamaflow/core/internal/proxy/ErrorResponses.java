package io.ollamaflow.core.internal.proxy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ollamaflow.api.ApiFormat;
import io.ollamaflow.api.FlowException;
import io.ollamaflow.core.internal.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Renders a {@link FlowException} in the caller's dialect: Ollama's {@code {"error":"..."}} or
 * OpenAI's {@code {"error":{"message","type","param","code"}}}, always one compact line.
 */
public final class ErrorResponses {
  public static final String JSON_CONTENT_TYPE = "application/json; charset=utf-8";

  private ErrorResponses() {}

  public static byte[] body(ApiFormat dialect, FlowException e) {
    return (json(dialect, e).toString()).getBytes(StandardCharsets.UTF_8);
  }

  /** The error as one NDJSON line or one SSE event, for a stream that already started. */
  public static byte[] streamEvent(ApiFormat dialect, FlowException e, boolean sse) {
    String json = json(dialect, e).toString();
    return (sse ? "data: " + json + "\n\n" : json + "\n").getBytes(StandardCharsets.UTF_8);
  }

  /** An error with this status and message, in the client's dialect (a backend's, or the HTTP server's). */
  public static byte[] body(ApiFormat dialect, int status, String message) {
    return json(dialect, status, message, null).toString().getBytes(StandardCharsets.UTF_8);
  }

  private static ObjectNode json(ApiFormat dialect, FlowException e) {
    return json(dialect, e.httpStatus(), e.getMessage(), e.code().name().toLowerCase(Locale.ROOT));
  }

  private static ObjectNode json(ApiFormat dialect, int status, String message, String code) {
    ObjectNode root = Json.MAPPER.createObjectNode();
    if (!ApiFormat.OPENAI.equals(dialect)) {
      root.put("error", message);
      return root;
    }
    ObjectNode error = root.putObject("error");
    error.put("message", message);
    error.put("type", openAiType(status));
    error.putNull("param");
    error.put("code", code);
    return root;
  }

  private static String openAiType(int status) {
    switch (status) {
      case 400: case 405: case 413: return "invalid_request_error";
      case 401: return "authentication_error";
      case 403: return "permission_error";
      case 404: return "not_found_error";
      case 429: return "rate_limit_error";
      default: return "api_error";
    }
  }
}
