package io.ollamaflow.core.internal.proxy;

import io.ollamaflow.api.ApiFormat;
import io.ollamaflow.api.ErrorCode;
import io.ollamaflow.api.FlowException;
import io.ollamaflow.core.http.FlowHttpExchange;
import io.ollamaflow.core.internal.routing.ApiEndpoint;
import io.ollamaflow.core.internal.routing.EndpointClassifier;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.function.BiConsumer;

/** An HTTP exchange, from any of the adapters, as a {@link ProxyCall}: refusals are answered in the client's dialect. */
public final class HttpCall implements ProxyCall {
  private final FlowHttpExchange exchange;

  public HttpCall(FlowHttpExchange exchange) {
    this.exchange = exchange;
  }

  @Override public String method() { return exchange.method(); }
  @Override public String rawPath() { return exchange.rawPath(); }
  @Override public String rawQuery() { return exchange.rawQuery(); }
  @Override public boolean http10() { return "HTTP/1.0".equalsIgnoreCase(exchange.protocol()); }
  @Override public String requestHeader(String name) { return exchange.requestHeader(name); }
  @Override public void forEachRequestHeader(BiConsumer<String, String> action) { exchange.forEachRequestHeader(action); }
  @Override public InputStream requestBody() { return exchange.requestBody(); }
  @Override public String remoteAddress() { return exchange.remoteAddress(); }
  @Override public void addResponseHeader(String name, String value) { exchange.addResponseHeader(name, value); }
  @Override public OutputStream responseBody() { return exchange.responseBody(); }

  @Override
  public void sendResponseHeaders(int status, long contentLength) throws IOException {
    exchange.sendResponseHeaders(status, contentLength);
  }

  /**
   * The error as an Ollama or OpenAI error body, with Retry-After on 429 and 503 (an API key's
   * limit says when its window ends), WWW-Authenticate on an API key's 401, and Allow on 405.
   */
  @Override
  public void refuse(FlowException error, ApiFormat dialect) throws IOException {
    if (error instanceof QuotaExceeded quota) addResponseHeader("Retry-After", Long.toString(quota.retryAfterSeconds()));
    else if (error.httpStatus() == 429 || error.httpStatus() == 503) addResponseHeader("Retry-After", "1");
    if (error.code() == ErrorCode.INVALID_API_KEY) addResponseHeader("WWW-Authenticate", "Bearer");
    if (error.code() == ErrorCode.UPGRADE_REQUIRED) addResponseHeader("Upgrade", "HTTP/1.1");
    if (error.code() == ErrorCode.METHOD_NOT_ALLOWED) {
      ApiEndpoint endpoint = EndpointClassifier.lookup(rawPath());
      if (endpoint != null) addResponseHeader("Allow", String.join(", ", endpoint.methods()));
    }
    sendJson(error.httpStatus(), ErrorResponses.body(dialect, error));
  }
}
