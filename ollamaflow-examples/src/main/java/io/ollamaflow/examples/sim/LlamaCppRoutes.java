package io.ollamaflow.examples.sim;

import static io.ollamaflow.examples.sim.SimExchange.JSON;

import com.fasterxml.jackson.databind.node.ArrayNode;
import java.io.IOException;

/**
 * The monitoring routes of llama.cpp's llama-server: /health, /slots and /metrics. Its /v1 routes
 * are {@link OpenAiRoutes}. Slots are not tracked one by one: the first {@link Slots#busy()}
 * slots are reported as processing, which is what a router counting them needs.
 */
final class LlamaCppRoutes {
  /** What /slots reports as each slot's context size. */
  static final int SLOT_CONTEXT = 4096;

  private final SimState sim;

  private LlamaCppRoutes(SimState sim) {
    this.sim = sim;
  }

  static void register(SimHandler handler, SimState sim) {
    LlamaCppRoutes r = new LlamaCppRoutes(sim);
    handler
        .route("GET", "/health", x -> x.sendJson(200, JSON.createObjectNode().put("status", "ok")))
        .route("GET", "/slots", r::slots)
        .route("GET", "/metrics", r::metrics);
  }

  private void slots(SimExchange x) throws IOException {
    Slots engine = sim.engine().orElseThrow();
    int busy = engine.busy();
    ArrayNode slots = JSON.createArrayNode();
    for (int id = 0; id < engine.size(); id++) {
      slots.addObject()
          .put("id", id)
          .put("id_task", id < busy ? id : -1)
          .put("n_ctx", SLOT_CONTEXT)
          .put("speculative", false)
          .put("is_processing", id < busy);
    }
    x.sendJson(200, slots);
  }

  private void metrics(SimExchange x) throws IOException {
    PrometheusText text = new PrometheusText()
        .gauge("llamacpp:requests_processing", "Requests being processed in a slot.", "", sim.occupancy.running())
        .gauge("llamacpp:requests_deferred", "Requests waiting for a free slot.", "", sim.occupancy.waiting());
    x.sendText(200, PrometheusText.CONTENT_TYPE, text.toString());
  }
}
