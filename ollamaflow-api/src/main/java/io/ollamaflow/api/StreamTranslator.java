package io.ollamaflow.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * Translates one streamed response, event by event. Framing (NDJSON lines, SSE {@code data:}
 * events, the {@code [DONE]} marker) and error events are core's job: a translator sees only the
 * backend's data events, never {@code [DONE]} nor an event carrying {@code error}.
 *
 * <p>Threading: one instance per response, used by one thread at a time; may keep state (for
 * example tool-call fragments being assembled). Must not block.
 */
public interface StreamTranslator {
  /**
   * The client-dialect events for one backend event: empty to hold it back, several to split it.
   * Core sends what is returned at once; nothing should be held back that the client could
   * already use.
   */
  List<ObjectNode> onEvent(ObjectNode backendEvent);

  /**
   * Events to send after the backend's stream ended without an error.
   *
   * @throws FlowException {@link ErrorCode#BACKEND_ERROR} when the stream ended before its final
   *     event (no {@code done:true}, no {@code finish_reason}); core then sends an error event
   */
  List<ObjectNode> onEnd();
}
