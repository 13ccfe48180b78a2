package io.ollamaflow.core.internal.proxy;

import io.ollamaflow.api.ErrorCode;
import io.ollamaflow.api.FlowException;
import io.ollamaflow.api.Frontend;
import io.ollamaflow.core.internal.routing.ProxyRoute;

/**
 * The admission stage: whether the frontend takes this request at all, decided before anything is
 * read of the body or sent to a backend.
 */
final class Admission {
  private Admission() {}

  /**
   * @throws FlowException when the frontend is inactive, disallows the request's kind, or the
   *     announced body is over its {@code MaxRequestBodySize}
   */
  static void admit(Frontend frontend, ProxyRoute route, ProxyCall exchange) {
    String name = "frontend '" + frontend.identifier() + "'";
    if (!frontend.active()) {
      throw new FlowException(ErrorCode.FRONTEND_INACTIVE, name + " is inactive");
    }
    if (route.kind().isEmbeddings() && !frontend.allowEmbeddings()) {
      throw new FlowException(ErrorCode.FORBIDDEN, name + " does not allow embeddings requests");
    }
    if (route.kind().isCompletion() && !frontend.allowCompletions()) {
      throw new FlowException(ErrorCode.FORBIDDEN, name + " does not allow completions requests");
    }
    long length = UpstreamRequests.contentLength(exchange);
    if (length > frontend.maxRequestBodySize()) {
      throw ProxyErrors.tooLarge(frontend);
    }
  }}
