package io.ollamaflow.core.internal.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ollamaflow.api.ApiFormat;
import io.ollamaflow.api.ApiTranslator;
import io.ollamaflow.api.ErrorCode;
import io.ollamaflow.api.FlowException;
import io.ollamaflow.api.RequestKind;
import io.ollamaflow.api.TranslatedRequest;
import io.ollamaflow.api.TranslationContext;
import io.ollamaflow.core.internal.routing.BackendState;
import io.ollamaflow.core.internal.translation.ClientStreams;
import io.ollamaflow.core.internal.translation.TranslatorRegistry;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The translations of one request, one per backend dialect other than the client's, made once
 * and reused by every attempt. The client's body is parsed only when a backend of another dialect
 * is among the candidates. A request that one dialect cannot express keeps its backends out of
 * the candidates, so a frontend mixing dialects answers the same way whichever backend the
 * balancer would have chosen; only when no backend is left is the refusal the answer.
 *
 * <p>Confined to the request's thread.
 */
final class Translations {
  private final TranslatorRegistry registry;
  private final RequestState request;
  private final ClientBody body;
  private final Map<ApiFormat, Object> byDialect = new HashMap<>(2);
  private ObjectNode clientJson;

  Translations(TranslatorRegistry registry, RequestState request, ClientBody body) {
    this.registry = registry;
    this.request = request;
    this.body = body;
  }

  /**
   * The candidates whose dialect can express this request.
   *
   * @throws FlowException the translator's refusal when it leaves no candidate
   */
  List<BackendState> expressible(List<BackendState> candidates) throws IOException {
    // The common case, no refusal, returns the list as it is: no copy on the request path.
    List<BackendState> kept = null;
    FlowException refusal = null;
    for (int i = 0; i < candidates.size(); i++) {
      Object translation = forDialect(candidates.get(i).backend().apiFormat());
      if (translation instanceof FlowException) {
        if (kept == null) kept = new ArrayList<>(candidates.subList(0, i));
        refusal = (FlowException) translation;
      } else if (kept != null) {
        kept.add(candidates.get(i));
      }
    }
    if (kept == null) return candidates;
    if (kept.isEmpty()) throw refusal;
    return kept;
  }

  /** How to reach this backend: null when it speaks the client's dialect. */
  Translated forBackend(BackendState backend) throws IOException {
    Object translation = forDialect(backend.backend().apiFormat());
    if (translation instanceof FlowException) throw (FlowException) translation;
    return (Translated) translation;
  }

  private Object forDialect(ApiFormat dialect) throws IOException {
    if (dialect.equals(request.endpoint().format())) return null;
    Object known = byDialect.get(dialect);
    if (known != null) return known;
    ApiTranslator translator = registry.find(request.endpoint().format(), dialect);
    Object translation;
    try {
      Context context = new Context(request, clientJson());
      TranslatedRequest translated = translator.translateRequest(context,
          context.clientRequest() == null ? null : context.clientRequest().deepCopy());
      translation = new Translated(translator, context, translated);
    } catch (FlowException e) {
      translation = e;
    }
    byDialect.put(dialect, translation);
    return translation;
  }

  private ObjectNode clientJson() throws IOException {
    if (clientJson != null || body == null) return clientJson;
    JsonNode parsed = body.json();
    if (parsed == null || !parsed.isObject()) {
      throw new FlowException(ErrorCode.BAD_REQUEST, "request body must be a JSON object");
    }
    clientJson = (ObjectNode) parsed;
    return clientJson;
  }

  /** A request translated for one backend dialect, with the translator that answers back. */
  static final class Translated {
    final ApiTranslator translator;
    final TranslationContext context;
    final TranslatedRequest request;

    Translated(ApiTranslator translator, TranslationContext context, TranslatedRequest request) {
      this.translator = translator;
      this.context = context;
      this.request = request;
    }
  }

  /** What a translator is told about the request; the model is the one routed on (an alias's target). */
  private static final class Context implements TranslationContext {
    private final RequestState request;
    private final ObjectNode clientRequest;
    private final boolean stream;

    Context(RequestState request, ObjectNode clientRequest) {
      this.request = request;
      this.clientRequest = clientRequest;
      this.stream = ClientStreams.requested(request.endpoint().format(), request.kind(), clientRequest);
    }

    @Override public RequestKind kind() { return request.kind(); }
    @Override public String clientPath() { return request.path(); }
    @Override public String model() { return request.model(); }
    @Override public boolean stream() { return stream; }
    @Override public ObjectNode clientRequest() { return clientRequest; }
    @Override public long elapsedNanos() { return request.elapsedNanos(); }
  }
}
