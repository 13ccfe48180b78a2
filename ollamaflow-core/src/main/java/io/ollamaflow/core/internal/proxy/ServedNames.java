package io.ollamaflow.core.internal.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ollamaflow.core.internal.models.ModelNames;
import io.ollamaflow.core.internal.routing.BackendState;

/**
 * Names the model as the chosen backend lists it. Routing compares names by Ollama's rules
 * ({@code llama3} is {@code LLAMA3:latest}), but an OpenAI-format server takes only its own
 * spelling, so a request routed there by those rules must carry that spelling.
 */
final class ServedNames {
  private ServedNames() {}

  /**
   * The model to write into a relayed body in place of the client's: the backend's spelling, or
   * the target of the client's alias; null when the body names the model as it should.
   */
  static String modelToWrite(RequestState request, BackendState backend) {
    if (!request.endpoint().modelInBody()) return null;
    String respelt = respelling(request.model(), backend);
    return respelt != null ? respelt : request.aliasOf() != null ? request.model() : null;
  }

  /** The backend's spelling of {@code model} when it differs from the client's; null otherwise. */
  private static String respelling(String model, BackendState backend) {
    if (model == null) return null;
    String served = backend.models().inventory().servedName(ModelNames.canonical(model));
    return served == null || served.equals(model) ? null : served;
  }

  /** A translated body with its {@code model} spelt as the backend lists it; {@code body} itself when no change is needed. */
  static ObjectNode spell(ObjectNode body, BackendState backend) {
    JsonNode model = body == null ? null : body.get("model");
    String served = model != null && model.isTextual() ? respelling(model.textValue(), backend) : null;
    // A copy: the translated body is shared by the attempts on other backends.
    return served == null ? body : body.deepCopy().put("model", served);
  }
}
