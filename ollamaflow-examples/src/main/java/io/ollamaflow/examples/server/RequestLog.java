package io.ollamaflow.examples.server;

import io.ollamaflow.api.FlowEventListener;
import io.ollamaflow.api.FlowException;
import io.ollamaflow.api.LogSafe;
import io.ollamaflow.api.RequestInfo;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One access-log line per request, written from the cluster's events: request id, method, path,
 * frontend, model, backend, status, duration, time to first byte (status and headers sent), and
 * the prompt and generated tokens the backend reported ({@code -} for what is unknown).
 */
final class RequestLog implements FlowEventListener {
  private static final Logger log = LoggerFactory.getLogger("ollamaflow.requests");

  @Override
  public void requestFinished(RequestInfo r) {
    // Eleven arguments go through varargs: build the array, box and format them only for a line that is written.
    if (!log.isInfoEnabled()) return;
    log.info("[{}] {} {} frontend={} model={} backend={} -> {} ({} ms, ttfb {} ms, tokens in={} out={})", r.requestId(),
        r.method(), LogSafe.of(r.path()), r.frontendId(), LogSafe.of(r.model()), r.backendId(), r.status(),
        TimeUnit.NANOSECONDS.toMillis(r.elapsedNanos()), millis(r.firstByteNanos()), count(r.inputTokens()),
        count(r.outputTokens()));
  }

  @Override
  public void requestFailed(RequestInfo r, FlowException failure) {
    if (!log.isWarnEnabled()) return;
    log.warn("[{}] {} {} frontend={} model={} backend={} -> {} {} ({} ms, ttfb {} ms)", r.requestId(), r.method(),
        LogSafe.of(r.path()), r.frontendId(), LogSafe.of(r.model()), r.backendId(), failure.httpStatus(),
        LogSafe.of(failure.getMessage()), TimeUnit.NANOSECONDS.toMillis(r.elapsedNanos()), millis(r.firstByteNanos()));
  }

  /** Milliseconds with a tenth, so a fast first byte does not read as 0; {@code -} when unknown. */
  private static String millis(long nanos) {
    return nanos < 0 ? "-" : String.format(java.util.Locale.ROOT, "%.1f", nanos / 1e6);
  }

  private static String count(long tokens) {
    return tokens < 0 ? "-" : Long.toString(tokens);
  }
}
