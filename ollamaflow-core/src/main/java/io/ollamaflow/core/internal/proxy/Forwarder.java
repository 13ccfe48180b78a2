package io.ollamaflow.core.internal.proxy;

import io.ollamaflow.api.ErrorCode;
import io.ollamaflow.api.FlowException;
import io.ollamaflow.api.Frontend;
import io.ollamaflow.api.TranslatedRequest;
import io.ollamaflow.core.internal.ClusterState;
import io.ollamaflow.core.internal.Events;
import io.ollamaflow.core.internal.json.Json;
import io.ollamaflow.core.internal.routing.AnswerTimings;
import io.ollamaflow.core.internal.routing.BackendState;
import io.ollamaflow.core.internal.routing.FrontendSnapshot;
import io.ollamaflow.core.internal.routing.ApiEndpoint;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ScheduledFuture;
import okhttp3.Call;
import okhttp3.Request;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The forward and relay stages of one attempt: the request rewritten for the chosen backend
 * (alias, defaults, pins, translation), sent, and its answer relayed to the client, or the
 * failure judged: retry elsewhere, or end the request. What the answer teaches is handed to the
 * {@link Recorder}.
 *
 * <p>Threading: request threads call it concurrently; it keeps no per-request state.
 */
final class Forwarder {
  private static final Logger log = LoggerFactory.getLogger(Forwarder.class);
  /** Time spent before the first attempt that still counts as the whole TimeoutMs budget. */
  private static final long BUDGET_SLACK_NANOS = 5_000_000;

  private final ClusterState state;
  private final Events events;
  private final Recorder recorder;

  Forwarder(ClusterState state, Events events, Recorder recorder) {
    this.state = state;
    this.events = events;
    this.recorder = recorder;
  }

  /**
   * One attempt at one backend, which already holds a capacity slot for this request.
   *
   * @return whether an answer was relayed, or why this backend failed and whether another may be tried
   */
  Attempt attempt(ProxyCall exchange, RequestState request, FrontendSnapshot snapshot, BackendState backend,
      ClientBody body, Translations.Translated translated, long deadline, boolean retryAllowed) throws IOException {
    String id = backend.backend().identifier();
    request.backendId(id);
    events.backendSelected(request, request.selectedBy());
    if (translated != null) {
      // Defaults and pins are written in the backend's dialect, so they apply after translation.
      TranslatedRequest sent = translated.request;
      byte[] json = sent.body() == null ? null : Json.MAPPER.writeValueAsBytes(PinnedProperties.layered(
          ServedNames.spell(sent.body(), backend),
          snapshot.defaults(request.kind()), snapshot.pins(request.kind()), backend.pins(request.kind())));
      Request upstream = UpstreamRequests.build(backend.backend(), exchange, sent.method(), sent.path(), json);
      return forward(exchange, request, snapshot, backend, upstream, translated, null, deadline, retryAllowed);
    }
    String path = request.aliasOf() != null && request.endpoint().modelField() == ApiEndpoint.ModelField.PATH
        ? request.endpoint().path() + URLEncoder.encode(request.model(), StandardCharsets.UTF_8).replace("+", "%20")
        : exchange.rawPath();
    try (ClientBody pinned = PinnedBodies.apply(body, ServedNames.modelToWrite(request, backend),
        snapshot.defaults(request.kind()), snapshot.pins(request.kind()), backend.pins(request.kind()))) {
      ClientBody sent = pinned != null ? pinned : body;
      Request upstream = UpstreamRequests.build(backend.backend(), exchange, sent, exchange.method(), path);
      // Decided on the body as sent, after defaults and pins: a pinned stream or include_usage counts.
      if (backend.refusesStreamOptions() || !StreamUsage.mustAsk(request, backend, sent)) {
        return forward(exchange, request, snapshot, backend, upstream, null, null, deadline, retryAllowed);
      }
      try (ClientBody asking = StreamUsage.asking(sent)) {
        // Uncompressed, so the usage chunk can be found and left out.
        Request asked = UpstreamRequests.build(backend.backend(), exchange, asking, exchange.method(), path)
            .newBuilder().header("Accept-Encoding", "identity").build();
        return forward(exchange, request, snapshot, backend, asked, null, upstream, deadline, retryAllowed);
      }
    }
  }
  /**
   * @param translated how to answer back when the request was translated; null when relayed as it is
   * @param asIfUnasked when the proxy asked for an OpenAI stream's usage chunk the client did not ask
   *     for ({@link StreamUsage}): the client's request as it would go otherwise, sent instead if the
   *     backend refuses {@code stream_options}; null otherwise
   */
  private Attempt forward(ProxyCall exchange, RequestState request, FrontendSnapshot snapshot, BackendState backend,
      Request upstream, Translations.Translated translated, Request asIfUnasked, long deadline, boolean retryAllowed)
      throws IOException {
    String id = backend.backend().identifier();
    Delivery delivery = new Delivery(request.kind());
    Call call = snapshot.client().newCall(delivery.track(upstream));
    int inFlight = backend.activeRequests();
    long sentNanos = System.nanoTime();
    // A first attempt with the whole budget is bounded by the read timeout (= TimeoutMs); only a
    // request that already spent time queueing or on another backend needs its own deadline.
    long remaining = deadline - System.nanoTime();
    boolean budgetSpent = deadline != 0 && remaining < snapshot.frontend().timeoutMs() * 1_000_000L - BUDGET_SLACK_NANOS;
    ScheduledFuture<?> watchdog = budgetSpent ? state.schedule(call::cancel, Math.max(0, remaining)) : null;
    Response response;
    try {
      response = call.execute();
    } catch (IOException e) {
      if (watchdog != null) watchdog.cancel(false);
      return delivery.annotate(failedCall(e, snapshot.frontend(), backend, deadline,
          retryAllowed && delivery.mayResend(e)), e);
    }
    if (watchdog != null && !watchdog.cancel(false)) {
      response.close(); // the deadline passed just as the answer arrived
      return failedCall(new SocketTimeoutException("deadline"), snapshot.frontend(), backend, deadline, false);
    }
    long firstByteNanos = System.nanoTime() - sentNanos;
    int code = response.code();
    if (asIfUnasked != null && refusedStreamOptions(response)) {
      // Nothing was generated: the client's own request goes instead, and this backend is not asked again.
      response.close();
      backend.refusesStreamOptions(true);
      log.info("backend '{}' refuses stream_options ({}): its OpenAI streams are relayed without usage counts", id, code);
      return forward(exchange, request, snapshot, backend, asIfUnasked, null, null, deadline, retryAllowed);
    }
    boolean busy = code == 429 || code == 503;
    if (code >= 500 && !busy) {
      state.reportFailure(backend, "'" + id + "' answered " + code);
    } else {
      state.reportSuccess(backend);
    }
    if ((code >= 500 || code == 429) && retryAllowed) {
      response.close();
      return new Attempt.Retry("backend '" + id + "' answered " + code, busy ? ErrorCode.BACKEND_BUSY : ErrorCode.BACKEND_ERROR);
    }
    recorder.answered(request, snapshot, backend, code);
    AnswerTimings timings;
    try (response) {
      timings = translated != null ? new TranslatingRelay(exchange, request, events, translated).relay(call, response, id)
          : new ResponseRelay(exchange, request, events, asIfUnasked != null).relay(call, response, id);
    }
    request.answered(timings);
    recorder.relayed(request, snapshot, backend, code,
        new Recorder.Sample(inFlight, firstByteNanos, System.nanoTime() - sentNanos, timings));
    return Attempt.DONE;
  }
  /**
   * Whether an answer refuses the {@code stream_options} the proxy added: OpenAI-compatible servers
   * that do not know it (Azure OpenAI before api-version 2024-09, strict validators) answer 400 or
   * 422 naming it. Peeked, so any other answer is relayed whole.
   */
  private static boolean refusedStreamOptions(Response response) throws IOException {
    return (response.code() == 400 || response.code() == 422) && response.peekBody(8192).string().contains("stream_options");
  }

  /**
   * Decides what a failed call means: a timeout, or a backend failure to retry or report. The
   * client's body was read whole before the attempt, so a failure here is never the client's.
   */
  private Attempt failedCall(IOException e, Frontend frontend, BackendState backend, long deadline,
      boolean retryAllowed) {
    String name = "backend '" + backend.backend().identifier() + "' (" + backend.backend().baseUrl() + ")";
    boolean expired = deadline != 0 && System.nanoTime() - deadline >= 0;
    if (expired || e instanceof SocketTimeoutException) {
      String reason = name + " sent no response within " + frontend.timeoutMs() + " ms (TimeoutMs of frontend '"
          + frontend.identifier() + "')";
      state.reportFailure(backend, reason);
      if (expired || !retryAllowed) return new Attempt.Failed(new FlowException(ErrorCode.TIMEOUT, reason));
      return new Attempt.Retry(reason, ErrorCode.TIMEOUT);
    }
    String reason = e instanceof ConnectException ? name + " refused the connection"
        : e instanceof UnknownHostException ? name + ": unknown host"
        : name + " failed: " + IoFailures.describe(e);
    state.reportFailure(backend, reason);
    if (!retryAllowed) return new Attempt.Failed(new FlowException(ErrorCode.BACKEND_ERROR, reason));
    return new Attempt.Retry(reason, ErrorCode.BACKEND_ERROR);
  }
}
