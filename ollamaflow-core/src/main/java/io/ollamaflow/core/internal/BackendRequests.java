package io.ollamaflow.core.internal;

import io.ollamaflow.api.Backend;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import okhttp3.HttpUrl;
import okhttp3.Request;

/**
 * The one place that addresses a backend: its URL with its {@code Querystring}, and its own
 * credentials ({@code BearerToken}, {@code Headers}). Used for proxied requests and for the
 * requests the cluster sends itself (probes, discovery, load reports, pulls).
 */
public final class BackendRequests {
  /**
   * Backends' base URLs, parsed, by their text: parsing canonicalizes the host (IDNA mapping),
   * which a proxied request would otherwise pay each time. Emptied when it outgrows any fleet.
   */
  private static final Map<String, HttpUrl> BASES = new ConcurrentHashMap<>();
  private static final int MAX_BASES = 4096;

  private BackendRequests() {}

  /**
   * A request for {@code pathAndQuery} on the backend, with its bearer token, extra headers and
   * query string, as proxied requests get them.
   *
   * @throws IllegalArgumentException when {@code pathAndQuery} does not start with a slash, or the
   *     backend's address is not a valid URL
   */
  public static Request.Builder to(Backend backend, String pathAndQuery) {
    // Configured paths (HealthCheckUrl) were always taken trimmed.
    String target = pathAndQuery.trim();
    int q = target.indexOf('?');
    HttpUrl url = q < 0 ? url(backend, target, null) : url(backend, target.substring(0, q), target.substring(q + 1));
    if (url == null) throw new IllegalArgumentException("no URL for " + pathAndQuery + " on " + backend.baseUrl());
    Request.Builder request = new Request.Builder().url(url);
    withCredentials(backend, request::header);
    return request;
  }

  /**
   * The backend's URL for a client's path and query as they came (percent-encoded where the
   * client encoded them), without a fragment, with the backend's Querystring appended; null when
   * the path does not start with a slash or the backend's address is not a valid URL.
   */
  public static HttpUrl url(Backend backend, String rawPath, String rawQuery) {
    if (!rawPath.startsWith("/")) return null;
    // A fragment is the client's own and never sent (a target with '#' is not valid HTTP anyway).
    int fragment = rawPath.indexOf('#');
    if (fragment >= 0) {
      rawQuery = null;
      rawPath = rawPath.substring(0, fragment);
    } else if (rawQuery != null && (fragment = rawQuery.indexOf('#')) >= 0) {
      rawQuery = rawQuery.substring(0, fragment);
    }
    String query = rawQuery == null || rawQuery.isEmpty() ? backend.querystring()
        : backend.querystring() == null ? rawQuery : rawQuery + "&" + backend.querystring();
    try {
      return base(backend).newBuilder().encodedPath(rawPath).encodedQuery(query).build();
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static HttpUrl base(Backend backend) {
    String text = backend.baseUrl();
    HttpUrl base = BASES.get(text);
    if (base == null) {
      if (BASES.size() >= MAX_BASES) BASES.clear();
      base = HttpUrl.get(text);
      BASES.put(text, base);
    }
    return base;
  }

  /** Sets the backend's own headers, replacing what a request carried under those names. */
  public static void withCredentials(Backend backend, BiConsumer<String, String> set) {
    if (backend.bearerToken() != null) set.accept("Authorization", "Bearer " + backend.bearerToken());
    backend.headers().forEach(set);
  }
}
