package io.ollamaflow.core.internal.proxy;

import io.ollamaflow.core.internal.routing.Labels;
import java.util.List;

/**
 * The response headers that tell a client how its answer was routed: the backend
 * ({@code X-OllamaFlow-Backend}), whether a sticky session chose it ({@code X-OllamaFlow-Sticky},
 * {@code True} or {@code False} as OllamaFlow writes booleans), and the labels the backends were
 * filtered by ({@code X-OllamaFlow-Label}, only when the request asked for some).
 */
final class RoutingHeaders {
  static final String BACKEND = "X-OllamaFlow-Backend";
  static final String STICKY = "X-OllamaFlow-Sticky";
  static final String LABEL = "X-OllamaFlow-Label";

  private RoutingHeaders() {}

  /** Adds the headers of an answer relayed from {@code backendId}; called once, before the status is sent. */
  static void add(ProxyCall exchange, RequestState request, String backendId) {
    exchange.addResponseHeader(BACKEND, backendId);
    exchange.addResponseHeader(STICKY, request.sticky() ? "True" : "False");
    List<String> labels = Labels.parse(request.headerValues(ProxyEngine.LABEL_HEADER));
    if (!labels.isEmpty()) exchange.addResponseHeader(LABEL, String.join(",", labels));
  }
}
