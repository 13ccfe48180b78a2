package io.ollamaflow.core.internal.admin;

import io.ollamaflow.core.http.FlowHttpExchange;
import io.ollamaflow.core.internal.cors.CorsHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * The web dashboard's files, served from the jar under {@value #PATH}: plain HTML, CSS and
 * JavaScript that call the admin API with the token the user types in. The files hold nothing
 * secret, so they are served without a token; every figure and action goes through the admin API,
 * which checks it.
 */
final class DashboardAssets {
  static final String PATH = "/dashboard";
  private static final Map<String, String> FILES = Map.of(
      "index.html", "text/html; charset=utf-8",
      "dashboard.js", "text/javascript; charset=utf-8",
      "dashboard.css", "text/css; charset=utf-8");
  private static final Map<String, byte[]> CONTENT = load();

  private DashboardAssets() {}

  /** True for {@code /dashboard} and everything under {@code /dashboard/}. */
  static boolean handles(String rawPath) {
    return rawPath.equals(PATH) || rawPath.startsWith(PATH + "/");
  }

  static void serve(FlowHttpExchange exchange) throws IOException {
    String path = exchange.rawPath();
    if (path.equals(PATH)) {
      exchange.addResponseHeader("Location", PATH + "/");
      exchange.sendResponseHeaders(301, 0);
      return;
    }
    String name = path.substring(PATH.length() + 1);
    if (name.isEmpty()) name = "index.html";
    byte[] body = CONTENT.get(name);
    boolean readOnly = exchange.method().equals("GET") || exchange.method().equals("HEAD");
    if (body == null || !readOnly) {
      body = (!readOnly ? "method not allowed" : "no dashboard file " + name).getBytes(StandardCharsets.UTF_8);
      if (!readOnly) exchange.addResponseHeader("Allow", "GET, HEAD");
      CorsHandler.send(exchange, readOnly ? 404 : 405, "text/plain; charset=utf-8", body);
      return;
    }
    exchange.addResponseHeader("Cache-Control", "no-cache");
    exchange.addResponseHeader("X-Content-Type-Options", "nosniff");
    exchange.addResponseHeader("Content-Security-Policy",
        "default-src 'self'; style-src 'self'; script-src 'self'; img-src 'self' data:; frame-ancestors 'none'");
    CorsHandler.send(exchange, 200, FILES.get(name), body);
  }

  private static Map<String, byte[]> load() {
    Map<String, byte[]> content = new HashMap<>();
    for (String name : FILES.keySet()) {
      try (InputStream in = DashboardAssets.class.getResourceAsStream("/io/ollamaflow/core/dashboard/" + name)) {
        if (in == null) throw new IllegalStateException("dashboard file " + name + " is missing from the jar");
        content.put(name, in.readAllBytes());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return Map.copyOf(content);
  }
}
