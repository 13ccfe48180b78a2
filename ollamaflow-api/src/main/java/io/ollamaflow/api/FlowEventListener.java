package io.ollamaflow.api;

/**
 * Observes requests as they pass through the cluster; the basis for logs and metrics. Every
 * method has a no-op default, so a listener overrides only what it needs.
 *
 * <p>Threading: request events are called on request threads, concurrently for different requests
 * and in order for one request; health events on the cluster's update thread. Must be fast and must not block or throw; an exception is caught and logged.
 */
public interface FlowEventListener {
  /** A listener that does nothing. */
  FlowEventListener NONE = new FlowEventListener() {};

  /** The request arrived and was classified. */
  default void requestStarted(RequestInfo request) {}

  /** A backend was chosen; {@code reason} says how (e.g. {@code "round-robin"}). */
  default void backendSelected(RequestInfo request, String reason) {}

  /**
   * An attempt failed before anything reached the client, and the request is tried again on
   * another backend. {@code cause} says why: {@link ErrorCode#TIMEOUT} for no answer in time,
   * {@link ErrorCode#BACKEND_BUSY} for a 429 or 503 answer, {@link ErrorCode#BACKEND_ERROR} for a
   * refused connection, a reset or another 5xx answer.
   */
  default void retrying(RequestInfo request, String failedBackendId, FlowException cause) {}

  /** The backend's response headers arrived and were sent on to the client. */
  default void firstByte(RequestInfo request) {}

  /** The response was sent completely; {@link RequestInfo#status()} holds its status. */
  default void requestFinished(RequestInfo request) {}

  /** The request failed; the client got an error answer, or a stream was cut short. */
  default void requestFailed(RequestInfo request, FlowException failure) {}

  /**
   * A backend moved between health states; {@code backend.health()} is the new status. Called on
   * the cluster's update thread rather than a request thread.
   */
  default void healthChanged(BackendView backend, HealthStatus previous) {}
}
