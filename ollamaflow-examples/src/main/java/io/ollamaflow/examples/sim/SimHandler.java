package io.ollamaflow.examples.sim;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The single JDK handler: counts and logs every request, routes it the way the imitated server's
 * router does (404 and 405 in its shape), applies armed faults and renders handler errors.
 */
final class SimHandler implements HttpHandler {
  interface Route {
    void handle(SimExchange exchange) throws IOException;
  }

  /** Inference routes are the ones fault injection applies to; health probes stay unaffected. */
  private record Entry(Set<String> methods, Route route, boolean inference) {}

  private final SimState sim;
  private final Map<String, Entry> exact = new HashMap<>();
  private final Map<String, Entry> prefixes = new HashMap<>();

  SimHandler(SimState sim) {
    this.sim = sim;
  }

  /** Registers a route; a path ending in "/*" matches everything below it. */
  SimHandler route(String methods, String path, Route route) {
    return add(methods, path, route, false);
  }

  SimHandler inferenceRoute(String methods, String path, Route route) {
    return add(methods, path, route, true);
  }

  private SimHandler add(String methods, String path, Route route, boolean inference) {
    Entry entry = new Entry(Set.of(methods.split(" ")), route, inference);
    if (path.endsWith("/*")) {
      prefixes.put(path.substring(0, path.length() - 1), entry);
    } else {
      exact.put(path, entry);
    }
    return this;
  }

  @Override
  public void handle(HttpExchange http) throws IOException {
    sim.maxConcurrent.accumulateAndGet(sim.active.incrementAndGet(), Math::max);
    try {
      SimExchange exchange = SimExchange.read(http, sim);
      sim.log(exchange.toRequest());
      dispatch(exchange);
      // Only a normal return completes the response; an exception leaves the JDK to drop it.
      http.close();
    } finally {
      sim.active.decrementAndGet();
    }
  }

  private void dispatch(SimExchange exchange) throws IOException {
    Entry entry = find(exchange.path());
    if (entry == null) {
      exchange.sendNoRoute(404);
      return;
    }
    if (!entry.methods().contains(exchange.method())) {
      exchange.sendNoRoute(405);
      return;
    }
    if (entry.inference() && sim.faults.takeHang()) {
      sim.awaitClose();
      throw new IOException("hung request released by close()");
    }
    int failure = entry.inference() ? sim.faults.takeFailure() : 0;
    if (failure != 0) {
      exchange.sendError(failure, "simulated failure with status " + failure);
      return;
    }
    try {
      entry.route().handle(exchange);
    } catch (SimError e) {
      respondOrAbort(exchange, e, e);
    } catch (RuntimeException e) {
      respondOrAbort(exchange, new SimError(500, String.valueOf(e)), e);
    }
  }

  private static void respondOrAbort(SimExchange exchange, SimError error, RuntimeException cause)
      throws IOException {
    if (exchange.started()) {
      throw new IOException("failed after the response started", cause);
    }
    exchange.sendError(error);
  }

  // The prefixes (/api/blobs/, /v1/models/) never overlap, so the first match is the only one.
  private Entry find(String path) {
    Entry entry = exact.get(path);
    if (entry != null) {
      return entry;
    }
    for (Map.Entry<String, Entry> prefix : prefixes.entrySet()) {
      if (path.startsWith(prefix.getKey()) && path.length() > prefix.getKey().length()) {
        return prefix.getValue();
      }
    }
    return null;
  }
}
