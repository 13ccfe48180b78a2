package io.ollamaflow.core.internal.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import io.ollamaflow.api.ErrorCode;
import io.ollamaflow.api.FlowException;
import io.ollamaflow.api.Frontend;
import io.ollamaflow.api.RequestKind;
import io.ollamaflow.core.internal.routing.FrontendSnapshot;
import io.ollamaflow.core.internal.routing.ApiEndpoint;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;

/**
 * The reading stage: the request's body, read whole before any backend slot is taken (see
 * {@link ClientBody}), and what routing needs from it, written onto the request: the model (after
 * a frontend pin or alias), and the key that keeps a blob upload and the create using it on one
 * backend.
 */
final class RequestReader {
  private RequestReader() {}

  /**
   * Reads the body (null for GET and HEAD) and records the model and affinity key on {@code request}.
   *
   * @throws FlowException 400 when the model is missing or its path is badly encoded, 413 when the
   *     body is over {@code MaxRequestBodySize}, 503 when the spool is full
   * @throws ClientGoneException when the client stopped sending (a listener's read timeout included)
   * @param keep receives the start of the body when it may be logged (see {@link BodyLog}); null otherwise
   */
  static ClientBody read(ProxyCall exchange, RequestState request, FrontendSnapshot snapshot, BodySpool spool,
      Consumer<BodyExcerpt> keep) throws IOException {
    ApiEndpoint endpoint = request.endpoint();
    Frontend frontend = snapshot.frontend();
    ClientBody body = body(exchange, endpoint, frontend, spool, keep);
    try {
      request.model(model(exchange, endpoint, snapshot, body));
      String aliasTarget = aliasable(endpoint) ? snapshot.aliasTarget(request.model()) : null;
      if (aliasTarget != null && !snapshot.pins(endpoint.kind()).has("model")) {
        request.aliasOf(request.model());
        request.model(aliasTarget);
      }
      request.affinityKey(affinityKey(exchange, endpoint, body));
      return body;
    } catch (IOException | RuntimeException e) {
      if (body != null) body.close();
      throw e;
    }
  }

  private static ClientBody body(ProxyCall exchange, ApiEndpoint endpoint, Frontend frontend, BodySpool spool,
      Consumer<BodyExcerpt> keep) throws IOException {
    String method = exchange.method();
    if (method.equals("GET") || method.equals("HEAD")) return null;
    long limit = frontend.maxRequestBodySize();
    try {
      return endpoint.modelInBody()
          ? ClientBody.sniffModel(exchange.requestBody(), limit, UpstreamRequests.contentLength(exchange),
              endpoint.modelField(), spool, keep)
          : ClientBody.passThrough(exchange.requestBody(), limit, spool, keep);
    } catch (ClientBodyException e) {
      if (e.tooLarge()) throw ProxyErrors.tooLarge(frontend);
      throw new ClientGoneException(e);
    }
  }
  /** The model the request is for: a frontend pin of {@code model} wins over what the client named. */
  private static String model(ProxyCall exchange, ApiEndpoint endpoint, FrontendSnapshot snapshot, ClientBody body) {
    if (endpoint.modelField() == null) return null;
    String pinned = snapshot.pins(endpoint.kind()).path("model").textValue();
    if (pinned != null) return pinned;
    String model = endpoint.modelField() == ApiEndpoint.ModelField.PATH ? modelFromPath(exchange.rawPath(), endpoint)
        : body == null ? null : body.model();
    if (model == null) {
      String field = endpoint.modelField() == ApiEndpoint.ModelField.SOURCE ? "source" : "model";
      throw new FlowException(ErrorCode.BAD_REQUEST, field + " is required");
    }
    return model;
  }
  /**
   * Routes on which a {@code ModelAliases} name stands for its target: inference and model
   * details. Model management (pull, delete, copy, create, push) takes real names only, so an
   * alias can never be pulled, deleted or overwritten by mistake.
   */
  private static boolean aliasable(ApiEndpoint endpoint) {
    return endpoint.kind().isCompletion() || endpoint.kind().isEmbeddings() || endpoint.kind() == RequestKind.SHOW_MODEL;
  }
  /**
   * Blob uploads and the create that uses them must meet on one backend: both are routed by the
   * blob's digest ({@code /api/blobs/:digest}; the first digest in a create's {@code files} or
   * {@code adapters}), so the same digest always leads to the same backend.
   */
  private static String affinityKey(ProxyCall exchange, ApiEndpoint endpoint, ClientBody body) throws IOException {
    if (endpoint == ApiEndpoint.BLOB) return exchange.rawPath().substring(endpoint.path().length());
    if (endpoint != ApiEndpoint.CREATE || body == null) return null;
    JsonNode create = body.json();
    for (String field : List.of("files", "adapters")) {
      for (JsonNode digest : create.path(field)) {
        if (digest.isTextual()) return digest.textValue();
      }
    }
    return null;
  }
  private static String modelFromPath(String rawPath, ApiEndpoint endpoint) {
    String encoded = rawPath.substring(endpoint.path().length());
    if (encoded.endsWith("/")) encoded = encoded.substring(0, encoded.length() - 1);
    try {
      String model = URLDecoder.decode(encoded.replace("+", "%2B"), StandardCharsets.UTF_8);
      return model.isEmpty() ? null : model;
    } catch (IllegalArgumentException e) {
      throw new FlowException(ErrorCode.BAD_REQUEST, "model id in path is not valid percent-encoding: " + encoded);
    }
  }
}
