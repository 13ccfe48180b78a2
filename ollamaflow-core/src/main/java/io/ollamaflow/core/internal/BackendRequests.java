package io.ollamaflow.core.internal;

import io.ollamaflow.api.Backend;
import okhttp3.Request;

/** Requests the cluster itself sends to a backend (probes, model discovery), carrying the backend's credentials. */
public final class BackendRequests {
  private BackendRequests() {}

  /**
   * A request for {@code pathAndQuery} on the backend, with its bearer token, extra headers and
   * query string, as proxied requests get them.
   */
  public static Request.Builder to(Backend backend, String pathAndQuery) {
    String query = backend.querystring() == null ? "" : (pathAndQuery.contains("?") ? "&" : "?") + backend.querystring();
    Request.Builder request = new Request.Builder().url(backend.baseUrl() + pathAndQuery + query);
    if (backend.bearerToken() != null) request.header("Authorization", "Bearer " + backend.bearerToken());
    backend.headers().forEach(request::header);
    return request;
  }
}
