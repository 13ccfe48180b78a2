/**
 * A simulated Ollama server (or vLLM or llama.cpp server, see {@code SimulatedOllama.Flavor}) for
 * demos, scenario tests and benchmarks.
 *
 * <p>Starting point: {@link io.ollamaflow.examples.sim.SimulatedOllama#builder()}. Everything else
 * in this package is package-private plumbing: {@code SimHandler} routes and applies faults,
 * {@code SimRoutes}, {@code OpenAiRoutes}, {@code VllmRoutes} and {@code LlamaCppRoutes} answer,
 * {@code StreamWriter} streams NDJSON or SSE, {@code Residency} is Ollama's scheduler (which
 * models are loaded, what a cold load costs, keep_alive), {@code Slots} and {@code Occupancy} are
 * the parallel slots and the queue in front of them.
 *
 * <p>Nullness: parameters and return values are non-null unless the javadoc says otherwise.
 */
package io.ollamaflow.examples.sim;
