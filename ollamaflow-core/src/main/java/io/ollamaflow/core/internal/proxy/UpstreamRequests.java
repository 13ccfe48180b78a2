package io.ollamaflow.core.internal.proxy;

import io.ollamaflow.api.Backend;
import io.ollamaflow.api.ErrorCode;
import io.ollamaflow.api.FlowException;
import io.ollamaflow.core.internal.BackendRequests;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;

/** Builds the request a backend receives: its URL, the client's end-to-end headers, and the backend's own. */
final class UpstreamRequests {
  private static final MediaType JSON = MediaType.get("application/json");

  private UpstreamRequests() {}

  /** @param body the body to send, or null for a request without one */
  static Request build(Backend backend, ProxyCall exchange, ClientBody body) {
    return build(backend, exchange, body, exchange.method());
  }

  /** The client's request sent with another method (a HEAD answered from a GET). */
  static Request build(Backend backend, ProxyCall exchange, ClientBody body, String method) {
    return build(backend, exchange, body, method, exchange.rawPath());
  }

  /** The client's request sent to another path (a model alias in {@code /v1/models/:model} replaced by its target). */
  static Request build(Backend backend, ProxyCall exchange, ClientBody body, String method, String rawPath) {
    return build(backend, exchange, method, rawPath, body == null ? null : new ForwardedBody(body));
  }

  /** A translated request: the translator's method and path, a JSON body the proxy wrote. */
  static Request build(Backend backend, ProxyCall exchange, String method, String rawPath, byte[] json) {
    return build(backend, exchange, method, rawPath, json == null ? null : RequestBody.create(json, JSON));
  }

  private static Request build(Backend backend, ProxyCall exchange, String method, String rawPath,
      RequestBody body) {
    HttpUrl url = BackendRequests.url(backend, rawPath, exchange.rawQuery());
    if (url == null) {
      throw new FlowException(ErrorCode.BAD_REQUEST, "invalid request path: " + rawPath);
    }
    Headers.Builder headers = new Headers.Builder();
    HopByHop hopByHop = HopByHop.forRequest(exchange);
    exchange.forEachRequestHeader((name, value) -> {
      if (!hopByHop.drops(name)) headers.addUnsafeNonAscii(name, value);
    });
    // Without this OkHttp would ask for gzip and decompress on the fly: CPU for nothing on a relay.
    if (headers.get("Accept-Encoding") == null) headers.set("Accept-Encoding", "identity");
    String forwardedFor = headers.get("X-Forwarded-For");
    String client = exchange.remoteAddress();
    headers.set("X-Forwarded-For", forwardedFor == null ? client : forwardedFor + ", " + client);
    String host = exchange.requestHeader("Host");
    if (host != null && headers.get("X-Forwarded-Host") == null) headers.set("X-Forwarded-Host", host);
    BackendRequests.withCredentials(backend, headers::set);
    return new Request.Builder()
        .url(url)
        .headers(headers.build())
        .method(method, body)
        .build();
  }

  static long contentLength(ProxyCall exchange) {
    String value = exchange.requestHeader("Content-Length");
    if (value == null) return -1;
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      throw new FlowException(ErrorCode.BAD_REQUEST, "Content-Length: \"" + value + "\" is not a number");
    }
  }
}
