/**
 * The vocabulary of OllamaFlow for Java: configuration values and the interfaces a plug-in implements.
 *
 * <p>Starting points: {@link io.ollamaflow.api.Frontend} and {@link io.ollamaflow.api.Backend}
 * (immutable configuration with builders), {@link io.ollamaflow.api.LoadBalancer},
 * {@link io.ollamaflow.api.HealthProbe}, {@link io.ollamaflow.api.ConfigStore},
 * {@link io.ollamaflow.api.ApiTranslator} and {@link io.ollamaflow.api.FlowEventListener}.
 *
 * <p>Nullness: parameters and return values are non-null unless the javadoc says otherwise.
 * Threading: each interface states who calls it, on which thread, and whether it may block.
 */
package io.ollamaflow.api;
