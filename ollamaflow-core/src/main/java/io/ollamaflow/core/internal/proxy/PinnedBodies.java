package io.ollamaflow.core.internal.proxy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ollamaflow.api.ErrorCode;
import io.ollamaflow.api.FlowException;
import io.ollamaflow.api.Frontend;
import io.ollamaflow.core.internal.json.Json;
import java.io.IOException;
import java.io.InputStream;

/**
 * Applies pinned properties to a request body. Pins need the whole body as JSON, so a pinned
 * request is read and rewritten; a request without pins is streamed untouched.
 */
final class PinnedBodies {
  private PinnedBodies() {}

  /**
   * @return null when neither pin set has anything, so {@code body} goes as it is; otherwise a new,
   *     complete body the caller closes
   */
  static ClientBody apply(ClientBody body, ObjectNode frontendPins, ObjectNode backendPins, Frontend frontend)
      throws IOException {
    if (body == null || (PinnedProperties.isEmpty(frontendPins) && PinnedProperties.isEmpty(backendPins))) return null;
    JsonNode parsed;
    try (InputStream in = body.open()) {
      parsed = Json.MAPPER.readTree(in);
    } catch (ClientBodyException e) {
      if (e.tooLarge()) throw ProxyErrors.tooLarge(frontend);
      throw new ClientGoneException(e);
    } catch (JsonProcessingException e) {
      throw new FlowException(ErrorCode.BAD_REQUEST, "malformed JSON in request body: " + Json.describe(e));
    }
    if (parsed == null || !parsed.isObject()) {
      throw new FlowException(ErrorCode.BAD_REQUEST, "request body must be a JSON object");
    }
    ObjectNode pinned = PinnedProperties.merge(PinnedProperties.merge((ObjectNode) parsed, frontendPins), backendPins);
    return ClientBody.of(Json.MAPPER.writeValueAsBytes(pinned), body.model());
  }
}
