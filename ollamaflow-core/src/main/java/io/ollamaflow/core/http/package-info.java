/**
 * Mounting a cluster in an HTTP server: the transport-neutral {@link io.ollamaflow.core.http.FlowHttpHandler}
 * and its adapters for the JDK's {@code com.sun.net.httpserver} and for Jakarta Servlet containers.
 */
package io.ollamaflow.core.http;
