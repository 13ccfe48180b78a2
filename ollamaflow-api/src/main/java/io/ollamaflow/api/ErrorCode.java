package io.ollamaflow.api;

/** Why a request failed, with the HTTP status it is answered with (see DESIGN.md). */
public enum ErrorCode {
  /** Malformed JSON, a missing or mistyped field, an invalid configuration object. */
  BAD_REQUEST(400),
  /** No frontend matches the request's Host header. */
  NO_FRONTEND(400),
  /** Admin call without a valid bearer token. */
  UNAUTHORIZED(401),
  /** A frontend that requires an API key got none, or one that is malformed, unknown, inactive or expired. */
  INVALID_API_KEY(401),
  /** The frontend, or every backend, disallows this kind of request. */
  FORBIDDEN(403),
  /** The request's API key may not use this frontend. */
  FRONTEND_NOT_ALLOWED(403),
  /** The request's API key may not use this model. */
  MODEL_NOT_ALLOWED(403),
  /** No route for this method and path. */
  NOT_FOUND(404),
  /** Wrong method on a known path. */
  METHOD_NOT_ALLOWED(405),
  /** No backend of the frontend has the requested model. */
  MODEL_NOT_FOUND(404),
  /** Creating an object that exists, or deleting one that is still referenced. */
  CONFLICT(409),
  /** The request body is larger than the frontend's MaxRequestBodySize. */
  PAYLOAD_TOO_LARGE(413),
  /** An HTTP/1.0 request to a frontend with {@code BlockHttp10}; answered with {@code Upgrade: HTTP/1.1}. */
  UPGRADE_REQUIRED(426),
  /** Backend capacity and queue are exhausted. */
  BACKEND_BUSY(429),
  /** The request's API key reached its requests or tokens per minute, or its concurrent requests. */
  RATE_LIMIT_EXCEEDED(429),
  /** A fault inside the proxy itself; a bug if it is ever seen. */
  INTERNAL(500),
  /** Every attempt at a backend failed. */
  BACKEND_ERROR(502),
  /** No healthy backend of the frontend can take this request. */
  NO_HEALTHY_BACKEND(503),
  /** The frontend is inactive. */
  FRONTEND_INACTIVE(503),
  /** An admin call needs the configuration or live-state database, which cannot be reached now. */
  STORE_UNAVAILABLE(503),
  /** Request bodies waiting to be routed fill the proxy's room for them (heap and disk). */
  BODY_SPOOL_FULL(503),
  /** No first byte from the backend within the frontend's TimeoutMs. */
  TIMEOUT(504);

  private final int httpStatus;

  ErrorCode(int httpStatus) {
    this.httpStatus = httpStatus;
  }

  public int httpStatus() {
    return httpStatus;
  }
}
