package io.ollamaflow.core.internal.proxy;

import io.ollamaflow.api.ErrorCode;
import io.ollamaflow.api.FlowException;
import io.ollamaflow.api.LogSafe;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A backend answer that ended before it was whole, after the client's response had started:
 * one warning naming the backend, what was relayed and why, and the failure recorded on the
 * request, which the engine reports as the request's one outcome. A stream
 * tells the client in its own format; any other body is aborted ({@link Aborted}), so that no
 * client mistakes a cut-off body for a complete one.
 */
final class CutShort {
  private static final Logger log = LoggerFactory.getLogger(CutShort.class);

  private CutShort() {}

  /**
   * @param relayed what the client already got, e.g. {@code "1234 bytes"}
   * @return the failure, for a stream's error event
   */
  static FlowException report(RequestState request, String backendId, String relayed, IOException cause) {
    FlowException failure = failure(backendId, relayed, cause);
    log.warn("[{}] {}", request.requestId(), LogSafe.of(failure.getMessage()));
    request.failedMidResponse(failure);
    return failure;
  }

  /** The failure of an answer that ended after {@code relayed} was read of it. */
  static FlowException failure(String backendId, String relayed, IOException cause) {
    return new FlowException(ErrorCode.BACKEND_ERROR,
        "backend '" + backendId + "' failed mid-response after " + relayed + ": " + IoFailures.describe(cause), cause);
  }

  /**
   * Thrown out of the handler so that the server closes the client's connection without ending
   * the body: no last chunk, or fewer bytes than the Content-Length announced.
   */
  static final class Aborted extends IOException {
    Aborted(FlowException failure) {
      super(failure.getMessage(), failure);
    }
  }
}
