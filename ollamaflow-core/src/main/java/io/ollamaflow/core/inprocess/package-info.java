/**
 * In-process routing: call a {@link io.ollamaflow.core.FlowCluster} from Java code, without an
 * HTTP server in front of it, through the very pipeline HTTP clients go through (frontend
 * policy, model-aware selection, balancer, health, capacity, pins, retries, event listener).
 *
 * <p>Starting points: {@link io.ollamaflow.core.FlowCluster#chat},
 * {@link io.ollamaflow.core.FlowCluster#chatStream}, {@link io.ollamaflow.core.FlowCluster#inProcess(String)}
 * for a frontend other than the catch-all, {@link ChatRequest}, {@link FlowStream}.
 *
 * <p>Requests and responses are immutable plain Java types; fields this package does not model
 * travel through {@code extra(ObjectNode)} on a request and {@code raw()} on a response. Nothing
 * here returns null unless its javadoc says so.
 */
package io.ollamaflow.core.inprocess;
