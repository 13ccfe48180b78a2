/**
 * A simulated Ollama server (or vLLM server, see {@code SimulatedOllama.Flavor}) for demos,
 * scenario tests and benchmarks.
 *
 * <p>Starting point: {@link io.ollamaflow.examples.sim.SimulatedOllama#builder()}. Everything else
 * in this package is package-private plumbing: {@code SimHandler} routes and applies faults,
 * {@code SimRoutes}, {@code OpenAiRoutes} and {@code VllmRoutes} answer, {@code StreamWriter} streams NDJSON or SSE,
 * {@code Residency} decides which models are loaded and what a cold load costs.
 *
 * <p>Nullness: parameters and return values are non-null unless the javadoc says otherwise.
 */
package io.ollamaflow.examples.sim;
