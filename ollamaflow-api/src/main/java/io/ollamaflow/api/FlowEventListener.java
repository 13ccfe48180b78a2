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
   * The request is sent again, to another backend, after {@link RequestInfo#backendId()} failed
   * without an answer the client could be given; {@code reason} says why, and whether that backend
   * may have started the work (the request reached it whole). Every resend is reported here.
   */
  default void retried(RequestInfo request, String reason) {}

  /**
   * The same event as {@link #retried(RequestInfo, String)}, with the kind of failure:
   * {@link ErrorCode#TIMEOUT} for no answer in time, {@link ErrorCode#BACKEND_BUSY} for a 429 or
   * 503 answer, {@link ErrorCode#BACKEND_ERROR} for a refused connection, a reset or another 5xx
   * answer. The cluster calls this one; by default it hands the event to the two-argument method,
   * so a listener overrides whichever it needs.
   */
  default void retried(RequestInfo request, String reason, ErrorCode cause) {
    retried(request, reason);
  }

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
