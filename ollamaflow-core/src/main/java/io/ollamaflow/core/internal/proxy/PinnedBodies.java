package io.ollamaflow.core.internal.proxy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ollamaflow.api.ErrorCode;
import io.ollamaflow.api.FlowException;
import io.ollamaflow.core.internal.json.Json;
import java.io.IOException;
import java.io.InputStream;

/**
 * Rewrites a request body before it is forwarded: the model an alias stands for (or the
 * backend's own spelling of the model), then the frontend's default properties where the client
 * left gaps, then the frontend's pins, then the backend's pins. A rewrite needs the whole body as
 * JSON, so such a request is read and written again; a request with no alias, no defaults and no
 * pins is streamed untouched.
 */
final class PinnedBodies {
  private PinnedBodies() {}

  /**
   * @param model the model to name instead of the client's (an alias's target, or the backend's
   *     own spelling), or null when the client's name goes as it is
   * @return null when there is nothing to change, so {@code body} goes as it is; otherwise a new,
   *     complete body the caller closes
   */
  static ClientBody apply(ClientBody body, String model, ObjectNode defaults, ObjectNode frontendPins,
      ObjectNode backendPins) throws IOException {
    if (body == null || (model == null && PinnedProperties.isEmpty(defaults)
        && PinnedProperties.isEmpty(frontendPins) && PinnedProperties.isEmpty(backendPins))) {
      return null;
    }
    JsonNode parsed;
    try (InputStream in = body.open()) {
      parsed = Json.MAPPER.readTree(in);
    } catch (JsonProcessingException e) {
      throw new FlowException(ErrorCode.BAD_REQUEST, "malformed JSON in request body: " + Json.describe(e));
    }
    if (parsed == null || !parsed.isObject()) {
      throw new FlowException(ErrorCode.BAD_REQUEST, "request body must be a JSON object");
    }
    ObjectNode request = (ObjectNode) parsed;
    if (model != null) {
      // The name sits in "model", or for /api/show in Ollama's older "name" when "model" is absent.
      request.put(request.has("model") || !request.has("name") ? "model" : "name", model);
    }
    ObjectNode pinned = PinnedProperties.layered(request, defaults, frontendPins, backendPins);
    return ClientBody.of(Json.MAPPER.writeValueAsBytes(pinned), model != null ? model : body.model());
  }
}
