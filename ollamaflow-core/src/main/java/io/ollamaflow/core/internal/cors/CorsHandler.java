package io.ollamaflow.core.internal.cors;

import io.ollamaflow.api.ApiFormat;
import io.ollamaflow.api.ErrorCode;
import io.ollamaflow.api.FlowException;
import io.ollamaflow.core.http.FlowHttpExchange;
import io.ollamaflow.core.http.FlowHttpHandler;
import io.ollamaflow.core.internal.proxy.ErrorResponses;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What browsers need in front of the proxy. {@code GET /} and {@code HEAD /} are answered here,
 * before any frontend is matched, with Ollama's banner, which clients and OllamaFlow's web UI
 * check for; it is public, so any origin may read it. On every other path a request whose
 * {@code Origin} is allowed gets the CORS headers on its answer, proxied or refused, and its
 * preflight ({@code OPTIONS}) is answered here; a request from an origin that is not allowed is
 * refused with 403, as Ollama refuses it, so a web page cannot make a browser send it at all.
 * Credentials are never allowed: the answers name the origin or {@code *}, and these APIs take
 * bearer tokens, not cookies.
 *
 * <p>Threading: called concurrently by request threads; holds no mutable state.
 */
public final class CorsHandler implements FlowHttpHandler {
  /** The banner Ollama answers on {@code /}. */
  static final String ROOT_BODY = "Ollama is running";
  static final String PREFLIGHT_MAX_AGE_SECONDS = "3600";
  private static final String PROXY_METHODS = "GET, HEAD, POST, DELETE, OPTIONS";
  private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

  private final AllowedOrigins origins;
  private final FlowHttpHandler proxy;

  public CorsHandler(AllowedOrigins origins, FlowHttpHandler proxy) {
    this.origins = origins;
    this.proxy = proxy;
  }

  @Override
  public void handle(FlowHttpExchange exchange) throws IOException {
    String method = exchange.method();
    if (exchange.rawPath().equals("/") && (method.equals("GET") || method.equals("HEAD"))) {
      answerRoot(exchange);
      return;
    }
    String origin = exchange.requestHeader("Origin");
    if (origin != null && !origins.allows(origin)) {
      refuse(exchange, origin);
      return;
    }
    if (origin != null) allowOrigin(exchange, origin);
    if (method.equals("OPTIONS")) {
      preflight(exchange, PROXY_METHODS);
      return;
    }
    proxy.handle(exchange);
  }

  private static void answerRoot(FlowHttpExchange exchange) throws IOException {
    exchange.addResponseHeader("Access-Control-Allow-Origin", "*");
    send(exchange, 200, "text/plain; charset=utf-8", ROOT_BODY.getBytes(StandardCharsets.UTF_8));
  }

  private void allowOrigin(FlowHttpExchange exchange, String origin) {
    if (origins.any()) {
      exchange.addResponseHeader("Access-Control-Allow-Origin", "*");
    } else {
      exchange.addResponseHeader("Access-Control-Allow-Origin", origin);
      exchange.addResponseHeader("Vary", "Origin");
    }
    // The proxy's own headers (which backend, which request, what was dropped) are readable by scripts.
    exchange.addResponseHeader("Access-Control-Expose-Headers", "*");
  }

  /**
   * Answers {@code OPTIONS}: with {@code Access-Control-Request-Method} a CORS preflight allowing
   * {@code methods} and the headers asked for; either way 204 with {@code Allow}.
   */
  public static void preflight(FlowHttpExchange exchange, String methods) throws IOException {
    if (exchange.requestHeader("Access-Control-Request-Method") != null) {
      exchange.addResponseHeader("Access-Control-Allow-Methods", methods);
      exchange.addResponseHeader("Access-Control-Allow-Headers",
          allowedHeaders(exchange.requestHeader("Access-Control-Request-Headers")));
      exchange.addResponseHeader("Access-Control-Max-Age", PREFLIGHT_MAX_AGE_SECONDS);
      exchange.addResponseHeader("Vary", "Access-Control-Request-Headers");
    }
    exchange.addResponseHeader("Allow", methods);
    exchange.sendResponseHeaders(204, 0);
  }

  /** The requested header names (well-formed ones only), then Authorization and Content-Type, each once. */
  public static String allowedHeaders(String requested) {
    Map<String, String> names = new LinkedHashMap<>();
    if (requested != null) {
      for (String name : requested.split(",")) {
        String trimmed = name.trim();
        if (HEADER_NAME.matcher(trimmed).matches()) names.putIfAbsent(trimmed.toLowerCase(Locale.ROOT), trimmed);
      }
    }
    names.putIfAbsent("authorization", "Authorization");
    names.putIfAbsent("content-type", "Content-Type");
    return String.join(", ", names.values());
  }

  private static void refuse(FlowHttpExchange exchange, String origin) throws IOException {
    ApiFormat dialect = exchange.rawPath().startsWith("/v1/") ? ApiFormat.OPENAI : ApiFormat.OLLAMA;
    send(exchange, 403, ErrorResponses.JSON_CONTENT_TYPE, ErrorResponses.body(dialect, new FlowException(
        ErrorCode.FORBIDDEN, "origin '" + origin + "' is not allowed (allowed: Ollama's default origins and "
        + "the cluster's allowedOrigins)")));
  }

  /** Sends a whole answer: status, content type and body (none for HEAD). */
  public static void send(FlowHttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
    exchange.addResponseHeader("Content-Type", contentType);
    boolean head = exchange.method().equals("HEAD");
    exchange.sendResponseHeaders(status, head ? 0 : body.length);
    if (head) return;
    OutputStream out = exchange.responseBody();
    out.write(body);
    out.flush();
  }
}
