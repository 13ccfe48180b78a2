package io.ollamaflow.core.internal;

import io.ollamaflow.api.Backend;
import java.util.function.BiConsumer;
import okhttp3.Request;

/**
 * The one place that addresses a backend: its URL with its {@code Querystring}, and its own
 * credentials ({@code BearerToken}, {@code Headers}). Used for proxied requests and for the
 * requests the cluster sends itself (probes, discovery, load reports, pulls).
 */
public final class BackendRequests {
  private BackendRequests() {}

  /**
   * A request for {@code pathAndQuery} on the backend, with its bearer token, extra headers and
   * query string, as proxied requests get them.
   */
  public static Request.Builder to(Backend backend, String pathAndQuery) {
    Request.Builder request = new Request.Builder().url(url(backend, pathAndQuery));
    withCredentials(backend, request::header);
    return request;
  }

  /** The backend's URL for a path that may carry a query already, with the backend's Querystring appended. */
  public static String url(Backend backend, String pathAndQuery) {
    String query = backend.querystring() == null ? "" : (pathAndQuery.contains("?") ? "&" : "?") + backend.querystring();
    return backend.baseUrl() + pathAndQuery + query;
  }

  /** Sets the backend's own headers, replacing what a request carried under those names. */
  public static void withCredentials(Backend backend, BiConsumer<String, String> set) {
    if (backend.bearerToken() != null) set.accept("Authorization", "Bearer " + backend.bearerToken());
    backend.headers().forEach(set);
  }
}
