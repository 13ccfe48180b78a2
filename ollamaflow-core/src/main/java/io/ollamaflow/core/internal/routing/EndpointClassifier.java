package io.ollamaflow.core.internal.routing;

import io.ollamaflow.api.ErrorCode;
import io.ollamaflow.api.FlowException;
import java.util.HashMap;
import java.util.Map;

/** Maps a method and raw path to an {@link ApiEndpoint}, or refuses with 404 or 405. */
public final class EndpointClassifier {
  private static final Map<String, ApiEndpoint> EXACT = new HashMap<>();

  static {
    for (ApiEndpoint endpoint : ApiEndpoint.values()) {
      if (!endpoint.hasParameter()) EXACT.put(endpoint.path(), endpoint);
    }
  }

  private EndpointClassifier() {}

  /**
   * @param rawPath the percent-encoded path; a trailing slash is ignored, as Ollama's router does
   * @throws FlowException {@link ErrorCode#NOT_FOUND} for an unknown path,
   *     {@link ErrorCode#METHOD_NOT_ALLOWED} for a known path with another method
   */
  public static ApiEndpoint classify(String method, String rawPath) {
    ApiEndpoint endpoint = lookup(rawPath);
    if (endpoint == null) {
      throw new FlowException(ErrorCode.NOT_FOUND, "no route for " + method + " " + rawPath);
    }
    if (!endpoint.methods().contains(method)) {
      throw new FlowException(ErrorCode.METHOD_NOT_ALLOWED,
          "method " + method + " is not allowed on " + rawPath + " (allowed: " + String.join(", ", endpoint.methods()) + ")");
    }
    return endpoint;
  }

  /** The endpoint serving this path with any method; null if none does. */
  public static ApiEndpoint lookup(String rawPath) {
    String path = rawPath.length() > 1 && rawPath.endsWith("/") ? rawPath.substring(0, rawPath.length() - 1) : rawPath;
    ApiEndpoint endpoint = EXACT.get(path);
    return endpoint != null ? endpoint : parameterRoute(path);
  }

  private static ApiEndpoint parameterRoute(String path) {
    if (path.startsWith(ApiEndpoint.BLOB.path()) && isSingleSegmentAfter(path, ApiEndpoint.BLOB.path())) {
      return ApiEndpoint.BLOB;
    }
    // Model ids may contain '/' (hf.co/user/repo:tag); clients percent-encode it, some do not.
    if (path.startsWith(ApiEndpoint.OPENAI_MODEL.path()) && path.length() > ApiEndpoint.OPENAI_MODEL.path().length()) {
      return ApiEndpoint.OPENAI_MODEL;
    }
    return null;
  }

  private static boolean isSingleSegmentAfter(String path, String prefix) {
    return path.length() > prefix.length() && path.indexOf('/', prefix.length()) < 0;
  }
}
