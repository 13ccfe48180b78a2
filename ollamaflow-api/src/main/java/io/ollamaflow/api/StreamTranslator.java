package io.ollamaflow.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * Translates one streamed response, event by event. Framing (NDJSON lines, SSE {@code data:}
 * events, the {@code [DONE]} marker) is core's job; a translator sees and returns JSON objects.
 *
 * <p>Threading: one instance per response, used by one thread at a time; may keep state (for
 * example tool-call fragments being assembled). Must not block.
 */
public interface StreamTranslator {
  /** The client-dialect events for one backend event; empty to hold it back, several to split it. */
  List<ObjectNode> onEvent(ObjectNode backendEvent);

  /** Events to send after the backend's stream ended normally. */
  List<ObjectNode> onEnd();
}
