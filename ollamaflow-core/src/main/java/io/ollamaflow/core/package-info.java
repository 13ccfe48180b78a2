/**
 * The engine of OllamaFlow for Java.
 *
 * <p>Starting points: {@link io.ollamaflow.core.FlowCluster} (build one, mount its
 * {@link io.ollamaflow.core.FlowCluster#httpHandler() handler}), {@link io.ollamaflow.core.FlowAdmin}
 * (manage frontends and backends live, from {@code cluster.admin()}),
 * {@link io.ollamaflow.core.http.FlowHttpServer} and {@link io.ollamaflow.core.http.FlowServlet}
 * (ways to mount it), {@link io.ollamaflow.core.InMemoryConfigStore}.
 *
 * <p>Packages under {@code io.ollamaflow.core.internal} are implementation, not API: they change
 * without notice.
 */
package io.ollamaflow.core;
