package io.ollamaflow.core.http;

import java.io.IOException;

/**
 * Serves one HTTP exchange: the transport-neutral entry point of a cluster, from
 * {@code FlowCluster.httpHandler()}. Named so that it does not clash with the JDK's
 * {@code com.sun.net.httpserver.HttpHandler}.
 *
 * <p>Threading: called by the server's request threads, concurrently; blocks for as long as the
 * exchange lasts (streams included). It always answers: routing and backend failures become
 * error responses, so an {@link IOException} means the client connection itself failed.
 */
@FunctionalInterface
public interface FlowHttpHandler {
  void handle(FlowHttpExchange exchange) throws IOException;
}
