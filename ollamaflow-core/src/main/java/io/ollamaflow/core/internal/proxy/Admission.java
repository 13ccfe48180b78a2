package io.ollamaflow.core.internal.proxy;

import io.ollamaflow.api.ErrorCode;
import io.ollamaflow.api.FlowException;
import io.ollamaflow.api.Frontend;
import io.ollamaflow.core.internal.routing.ApiEndpoint;

/**
 * The admission stage: whether the frontend takes this request at all, decided before anything is
 * read of the body or sent to a backend; the API key is checked last ({@link ApiKeyCheck}).
 */
final class Admission {
  private Admission() {}

  /**
   * @return what the request's API key still has to do (none when no key applies)
   * @throws FlowException when the frontend is inactive, disallows the request's kind, the
   *     announced body is over its {@code MaxRequestBodySize}, or the API key check refuses
   */
  static ApiKeyCheck.Admitted admit(Frontend frontend, ApiEndpoint endpoint, ProxyCall exchange, ApiKeyCheck keys) {
    String name = "frontend '" + frontend.identifier() + "'";
    if (!frontend.active()) {
      throw new FlowException(ErrorCode.FRONTEND_INACTIVE, name + " is inactive");
    }
    if (frontend.blockHttp10() && exchange.http10()) {
      throw new FlowException(ErrorCode.UPGRADE_REQUIRED, name + " refuses HTTP/1.0 requests (BlockHttp10): send HTTP/1.1"
          + " (behind nginx: proxy_http_version 1.1)");
    }
    if (endpoint.kind().isEmbeddings() && !frontend.allowEmbeddings()) {
      throw new FlowException(ErrorCode.FORBIDDEN, name + " does not allow embeddings requests");
    }
    if (endpoint.kind().isCompletion() && !frontend.allowCompletions()) {
      throw new FlowException(ErrorCode.FORBIDDEN, name + " does not allow completions requests");
    }
    long length = UpstreamRequests.contentLength(exchange);
    if (length > frontend.maxRequestBodySize()) {
      throw ProxyErrors.tooLarge(frontend);
    }
    return keys.check(frontend, exchange);
  }
}
