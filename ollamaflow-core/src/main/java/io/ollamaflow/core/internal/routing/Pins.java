package io.ollamaflow.core.internal.routing;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ollamaflow.api.RequestKind;

/** Which pinned properties apply to a request: completion pins to chat and generate, embedding pins to embeddings. */
final class Pins {
  private static final ObjectNode NONE = JsonNodeFactory.instance.objectNode();

  private Pins() {}

  static ObjectNode forKind(RequestKind kind, ObjectNode completion, ObjectNode embedding) {
    if (kind.isCompletion()) return completion;
    if (kind.isEmbeddings()) return embedding;
    return NONE;
  }
}
