/**
 * A simulated Ollama server for demos, scenario tests and benchmarks.
 *
 * <p>Starting point: {@link io.ollamaflow.examples.sim.SimulatedOllama#builder()}. Everything else
 * in this package is package-private plumbing: {@code SimHandler} routes and applies faults,
 * {@code SimRoutes} and {@code OpenAiRoutes} answer, {@code StreamWriter} streams NDJSON or SSE,
 * {@code Residency} decides which models are loaded and what a cold load costs.
 *
 * <p>Nullness: parameters and return values are non-null unless the javadoc says otherwise.
 */
package io.ollamaflow.examples.sim;
