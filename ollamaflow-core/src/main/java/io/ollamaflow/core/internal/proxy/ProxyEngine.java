package io.ollamaflow.core.internal.proxy;

import io.ollamaflow.api.ErrorCode;
import io.ollamaflow.api.FlowException;
import io.ollamaflow.api.Frontend;
import io.ollamaflow.api.LogSafe;
import io.ollamaflow.core.internal.ClusterState;
import io.ollamaflow.core.internal.Events;
import io.ollamaflow.core.internal.keys.KeyWindows;
import io.ollamaflow.core.internal.routing.BackendState;
import io.ollamaflow.core.internal.routing.FrontendSnapshot;
import io.ollamaflow.core.internal.routing.Labels;
import io.ollamaflow.core.internal.routing.ApiEndpoint;
import io.ollamaflow.core.internal.routing.EndpointClassifier;
import io.ollamaflow.core.internal.translation.TranslatorRegistry;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The request pipeline, the same for every transport ({@link ProxyCall}: HTTP through an adapter,
 * or an in-process call). Its stages, each a class of its own:
 * <ol>
 *   <li>classify the endpoint ({@code EndpointClassifier}) and match the frontend by Host ({@code RouteTable});
 *   <li>admit ({@link Admission}): frontend active, request kind allowed, announced size, API key
 *       ({@link ApiKeyCheck});
 *   <li>read ({@link RequestReader}): read the body whole (into a {@link BodySpool}), find the
 *       model, apply an alias; the key's models are checked;
 *   <li>then, per attempt: select and permit ({@link Selector}: every filter, sticky session, the
 *       policy, a capacity slot or the queue), forward and relay ({@link Forwarder}), record
 *       ({@link Recorder}); an attempt ends {@link Attempt.Done}, {@link Attempt.Retry} on another
 *       backend while nothing reached the client, or {@link Attempt.Failed}.
 * </ol>
 * Listings and whole-frontend operations leave after admission for {@link Aggregator} and
 * {@link EveryBackend}. Every refusal is a {@link FlowException} handed to {@link ProxyCall#refuse}.
 */
public final class ProxyEngine {
  static final String REQUEST_ID_HEADER = "X-OllamaFlow-Request";
  static final String LABEL_HEADER = "X-OllamaFlow-Label";
  private static final Logger log = LoggerFactory.getLogger(ProxyEngine.class);

  private final ClusterState state;
  private final Events events;
  private final List<String> stickyHeaders;
  private final int maxAttempts;
  private final TranslatorRegistry translators;
  private final Selector selector;
  private final Forwarder forwarder;
  private final ApiKeyCheck keys;
  private final BodySpool bodies;
  private final BodyLog bodyLog;

  public ProxyEngine(ClusterState state, Events events, List<String> stickyHeaders, int maxAttempts,
      TranslatorRegistry translators, Clock clock, BodySpool bodies, BodyLog bodyLog) {
    this.state = state;
    this.events = events;
    this.stickyHeaders = List.copyOf(stickyHeaders);
    this.maxAttempts = maxAttempts;
    this.translators = translators;
    this.selector = new Selector(state, translators, clock);
    this.forwarder = new Forwarder(state, events, new Recorder(state, clock));
    this.keys = new ApiKeyCheck(state, new KeyWindows(state.live()), clock);
    this.bodies = bodies;
    this.bodyLog = bodyLog;
  }

  /** Requests of this frontend waiting for a backend slot. */
  public int queued(String frontendId) {
    return selector.queued(frontendId);
  }

  /**
   * Serves one call to its end (a stream included). Refusals and failures before the response
   * started go to {@link ProxyCall#refuse}; an {@link IOException} means the client itself is gone.
   *
   * <p>Threading: called by request threads concurrently; blocks for as long as the call lasts.
   */
  public void serve(ProxyCall call) throws IOException {
    RequestState request = new RequestState(call, stickyHeaders, state.demand());
    ProxyCall exchange = bodyLog.watch(call, request);
    try {
      serveAndReport(exchange, request);
    } finally {
      bodyLog.write(exchange, request);
    }
  }

  private void serveAndReport(ProxyCall exchange, RequestState request) throws IOException {
    exchange.addResponseHeader(REQUEST_ID_HEADER, request.requestId());
    try {
      serve(exchange, request);
      if (request.midResponseFailure() != null) events.requestFailed(request, request.midResponseFailure());
      else events.requestFinished(request);
    } catch (FlowException e) {
      answerWithError(exchange, request, e);
    } catch (CutShort.Aborted e) {
      // The client's connection is dropped without ending the body; the failure is the outcome.
      events.requestFailed(request, request.midResponseFailure());
      throw e;
    } catch (ClientGoneException e) {
      if (request.midResponseFailure() != null) events.requestFailed(request, request.midResponseFailure());
      log.debug("[{}] client went away: {}", request.requestId(), LogSafe.of(e.getMessage()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      answerWithError(exchange, request, new FlowException(ErrorCode.NO_HEALTHY_BACKEND, "the proxy is shutting down"));
    } catch (RuntimeException e) {
      log.error("[{}] unexpected failure serving {} {}", request.requestId(), exchange.method(),
          LogSafe.of(exchange.rawPath()), e);
      answerWithError(exchange, request, new FlowException(ErrorCode.INTERNAL, "internal error (request "
          + request.requestId() + ")", e));
    } finally {
      request.keyUse().end(request);
    }
  }

  private void serve(ProxyCall exchange, RequestState request) throws IOException, InterruptedException {
    ApiEndpoint endpoint = EndpointClassifier.classify(exchange.method(), exchange.rawPath());
    request.endpoint(endpoint);
    events.requestStarted(request);
    String host = exchange.requestHeader("Host");
    FrontendSnapshot snapshot = state.routes().match(host);
    if (snapshot == null) {
      throw new FlowException(ErrorCode.NO_FRONTEND, "no frontend serves host '" + host + "'");
    }
    request.frontendSnapshot(snapshot);
    Frontend frontend = snapshot.frontend();
    request.keyUse(Admission.admit(frontend, endpoint, exchange, keys));
    if (request.keyUse().stripsClientKey()) exchange = new WithoutClientKey(exchange);
    if (Aggregator.handles(endpoint)) {
      List<BackendState> all = Selector.eligible(snapshot, endpoint,
          Labels.parse(request.headerValues(LABEL_HEADER)), Set.of(), translators);
      Aggregator.serve(exchange, request, snapshot, endpoint, all, translators);
      return;
    }
    try (ClientBody body = RequestReader.read(exchange, request, snapshot, bodies, bodyLog.requestBodyKeeper(request))) {
      request.keyUse().checkModel(request);
      int attempts = frontend.allowRetries() ? maxAttempts : 1;
      long deadline = frontend.timeoutMs() == 0 ? 0 : System.nanoTime() + frontend.timeoutMs() * 1_000_000L;
      List<String> labels = Labels.parse(request.headerValues(LABEL_HEADER));
      String routingModel = Selector.routingModel(endpoint.kind(), request.model());
      if (routingModel != null) state.demand().record(routingModel);
      if (EveryBackend.handles(endpoint)) {
        if (endpoint == ApiEndpoint.DELETE) state.unrequireModel(frontend.identifier(), request.model());
        EveryBackend.serve(exchange, request, snapshot, endpoint,
            Selector.eligible(snapshot, endpoint, labels, Set.of(), translators), body);
        return;
      }
      Translations translations = new Translations(translators, request, body);
      Set<String> tried = new HashSet<>();
      List<String> failures = new ArrayList<>();
      for (int attempt = 1; ; ) {
        Selector.Selection selection = selector.select(request, snapshot, labels, tried, translations, deadline);
        if (selection instanceof Selector.LeftRotation) {
          FrontendSnapshot current = state.routes().frontend(frontend.identifier());
          if (current != null) snapshot = current;
          continue;
        }
        if (!(selection instanceof Selector.Chosen chosen)) {
          throw new FlowException(ErrorCode.BACKEND_ERROR, "every attempt failed: " + String.join("; ", failures));
        }
        BackendState backend = chosen.backend();
        Attempt outcome;
        try {
          boolean retryAllowed = attempt < attempts && chosen.candidates() > 1;
          outcome = forwarder.attempt(exchange, request, snapshot, backend, body, translations.forBackend(backend),
              deadline, retryAllowed);
        } finally {
          selector.release(backend);
        }
        if (outcome instanceof Attempt.Done) return;
        if (outcome instanceof Attempt.Failed failed) {
          FlowException e = failed.error();
          if (failures.isEmpty() || e.httpStatus() < 500) throw e;
          throw new FlowException(e.code(), "every attempt failed: " + String.join("; ", failures) + "; " + e.getMessage());
        }
        Attempt.Retry retry = (Attempt.Retry) outcome;
        String reason = retry.reason();
        log.info("[{}] sending the request again, to another backend: {}", request.requestId(), LogSafe.of(reason));
        events.retried(request, reason, retry.cause());
        tried.add(backend.backend().identifier());
        failures.add(reason);
        attempt++;
      }
    }
  }

  private void answerWithError(ProxyCall exchange, RequestState request, FlowException e) {
    events.requestFailed(request, e);
    if (request.responseStarted()) return;
    log.debug("[{}] {} {} -> {} {}", request.requestId(), exchange.method(), LogSafe.of(exchange.rawPath()),
        e.httpStatus(), LogSafe.of(e.getMessage()));
    try {
      request.responseStarted(e.httpStatus());
      exchange.refuse(e, request.dialect());
    } catch (IOException clientGone) {
      log.debug("[{}] could not send the error, client went away: {}", request.requestId(),
          LogSafe.of(clientGone.getMessage()));
    }
  }

}
