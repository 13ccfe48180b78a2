package io.ollamaflow.core.internal.routing;

import io.ollamaflow.api.ErrorCode;
import io.ollamaflow.api.FlowException;
import java.util.HashMap;
import java.util.Map;

/** Maps a method and raw path to a {@link ProxyRoute}, or refuses with 404 or 405. */
public final class RouteClassifier {
  private static final Map<String, ProxyRoute> EXACT = new HashMap<>();

  static {
    for (ProxyRoute route : ProxyRoute.values()) {
      if (!route.hasParameter()) EXACT.put(route.path(), route);
    }
  }

  private RouteClassifier() {}

  /**
   * @param rawPath the percent-encoded path; a trailing slash is ignored, as Ollama's router does
   * @throws FlowException {@link ErrorCode#NOT_FOUND} for an unknown path,
   *     {@link ErrorCode#METHOD_NOT_ALLOWED} for a known path with another method
   */
  public static ProxyRoute classify(String method, String rawPath) {
    ProxyRoute route = lookup(rawPath);
    if (route == null) {
      throw new FlowException(ErrorCode.NOT_FOUND, "no route for " + method + " " + rawPath);
    }
    if (!route.methods().contains(method)) {
      throw new FlowException(ErrorCode.METHOD_NOT_ALLOWED,
          "method " + method + " is not allowed on " + rawPath + " (allowed: " + String.join(", ", route.methods()) + ")");
    }
    return route;
  }

  /** The route serving this path with any method; null if none does. */
  public static ProxyRoute lookup(String rawPath) {
    String path = rawPath.length() > 1 && rawPath.endsWith("/") ? rawPath.substring(0, rawPath.length() - 1) : rawPath;
    ProxyRoute route = EXACT.get(path);
    return route != null ? route : parameterRoute(path);
  }

  private static ProxyRoute parameterRoute(String path) {
    if (path.startsWith(ProxyRoute.BLOB.path()) && isSingleSegmentAfter(path, ProxyRoute.BLOB.path())) {
      return ProxyRoute.BLOB;
    }
    // Model ids may contain '/' (hf.co/user/repo:tag); clients percent-encode it, some do not.
    if (path.startsWith(ProxyRoute.OPENAI_MODEL.path()) && path.length() > ProxyRoute.OPENAI_MODEL.path().length()) {
      return ProxyRoute.OPENAI_MODEL;
    }
    return null;
  }

  private static boolean isSingleSegmentAfter(String path, String prefix) {
    return path.length() > prefix.length() && path.indexOf('/', prefix.length()) < 0;
  }
}
