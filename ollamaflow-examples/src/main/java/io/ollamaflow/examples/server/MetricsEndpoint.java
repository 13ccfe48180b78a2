package io.ollamaflow.examples.server;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.ollamaflow.core.http.FlowHttpExchange;
import io.ollamaflow.core.http.FlowHttpHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Answers {@code GET /metrics} with the registry's Prometheus text before the cluster's handler
 * sees the request, on any Host: a scrape is not proxy traffic, so it is neither matched to a
 * frontend nor counted. Open like most scrape endpoints: the figures name frontends, backends and
 * models, never a secret.
 */
final class MetricsEndpoint implements FlowHttpHandler {
  static final String PATH = "/metrics";
  private static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final PrometheusMeterRegistry registry;
  private final FlowHttpHandler next;

  MetricsEndpoint(PrometheusMeterRegistry registry, FlowHttpHandler next) {
    this.registry = registry;
    this.next = next;
  }

  @Override
  public void handle(FlowHttpExchange exchange) throws IOException {
    String method = exchange.method();
    if (!exchange.rawPath().equals(PATH) || !(method.equals("GET") || method.equals("HEAD"))) {
      next.handle(exchange);
      return;
    }
    byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
    exchange.addResponseHeader("Content-Type", CONTENT_TYPE);
    exchange.addResponseHeader("Cache-Control", "no-store");
    boolean head = method.equals("HEAD");
    exchange.sendResponseHeaders(200, head ? 0 : body.length);
    if (head) return;
    OutputStream out = exchange.responseBody();
    out.write(body);
    out.flush();
  }
}
