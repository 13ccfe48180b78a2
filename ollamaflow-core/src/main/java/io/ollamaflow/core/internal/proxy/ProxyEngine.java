package io.ollamaflow.core.internal.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import io.ollamaflow.api.BackendView;
import io.ollamaflow.api.ErrorCode;
import io.ollamaflow.api.FlowException;
import io.ollamaflow.api.Frontend;
import io.ollamaflow.api.RequestKind;
import io.ollamaflow.api.TranslatedRequest;
import io.ollamaflow.core.http.FlowHttpExchange;
import io.ollamaflow.core.http.FlowHttpHandler;
import io.ollamaflow.core.internal.ClusterState;
import io.ollamaflow.core.internal.Events;
import io.ollamaflow.core.internal.json.Json;
import io.ollamaflow.core.internal.models.ModelNames;
import io.ollamaflow.core.internal.routing.AnswerTimings;
import io.ollamaflow.core.internal.routing.BackendState;
import io.ollamaflow.core.internal.routing.FrontendRoute;
import io.ollamaflow.core.internal.routing.Labels;
import io.ollamaflow.core.internal.routing.ProxyRoute;
import io.ollamaflow.core.internal.routing.RouteClassifier;
import io.ollamaflow.core.internal.routing.StickySessions;
import io.ollamaflow.core.internal.translation.TranslatorRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import okhttp3.Call;
import okhttp3.Request;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The request path: classify, match the frontend, admit, read the model, then attempts: select
 * the eligible backends, take a capacity slot (sticky backend first, else the balancer's choice
 * among backends with a free slot, else wait in the queue), forward, and relay, or retry on
 * another backend while nothing has been sent to the client. Every refusal is a
 * {@link FlowException} answered in the client's dialect.
 */
public final class ProxyEngine implements FlowHttpHandler {
  static final String REQUEST_ID_HEADER = "X-OllamaFlow-Request";
  static final String LABEL_HEADER = "X-OllamaFlow-Label";
  private static final Logger log = LoggerFactory.getLogger(ProxyEngine.class);
  /** Time spent before the first attempt that still counts as the whole TimeoutMs budget. */
  private static final long BUDGET_SLACK_NANOS = 5_000_000;

  private final ClusterState state;
  private final Events events;
  private final List<String> stickyHeaders;
  private final int maxAttempts;
  private final TranslatorRegistry translators;
  private final Selector selector;
  private final Clock clock;

  public ProxyEngine(ClusterState state, Events events, List<String> stickyHeaders, int maxAttempts,
      TranslatorRegistry translators, Clock clock) {
    this.state = state;
    this.events = events;
    this.stickyHeaders = List.copyOf(stickyHeaders);
    this.maxAttempts = maxAttempts;
    this.translators = translators;
    this.selector = new Selector(state, translators, clock);
    this.clock = clock;
  }

  /** Requests of this frontend waiting for a backend slot. */
  public int queued(String frontendId) {
    return selector.queued(frontendId);
  }

  @Override
  public void handle(FlowHttpExchange exchange) throws IOException {
    RequestState request = new RequestState(exchange, stickyHeaders, state.demand());
    exchange.addResponseHeader(REQUEST_ID_HEADER, request.requestId());
    try {
      serve(exchange, request);
      events.requestFinished(request);
    } catch (FlowException e) {
      answerWithError(exchange, request, e);
    } catch (ClientGoneException e) {
      log.debug("[{}] client went away: {}", request.requestId(), e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      answerWithError(exchange, request, new FlowException(ErrorCode.NO_HEALTHY_BACKEND, "the proxy is shutting down"));
    } catch (RuntimeException e) {
      log.error("[{}] unexpected failure serving {} {}", request.requestId(), exchange.method(), exchange.rawPath(), e);
      answerWithError(exchange, request, new FlowException(ErrorCode.INTERNAL, "internal error (request "
          + request.requestId() + ")", e));
    }
  }

  private void serve(FlowHttpExchange exchange, RequestState request) throws IOException, InterruptedException {
    ProxyRoute route = RouteClassifier.classify(exchange.method(), exchange.rawPath());
    request.route(route);
    events.requestStarted(request);
    String host = exchange.requestHeader("Host");
    FrontendRoute frontendRoute = state.routes().match(host);
    if (frontendRoute == null) {
      throw new FlowException(ErrorCode.NO_FRONTEND, "no frontend serves host '" + host + "'");
    }
    request.frontendRoute(frontendRoute);
    Frontend frontend = frontendRoute.frontend();
    admit(frontend, route, exchange);
    if (Aggregator.handles(route)) {
      List<BackendState> all = Selector.eligible(frontendRoute, route,
          Labels.parse(request.headerValues(LABEL_HEADER)), Set.of(), translators);
      Aggregator.serve(exchange, request, frontendRoute, route, all, translators);
      return;
    }
    try (ClientBody body = readBody(exchange, route, frontend)) {
      request.model(model(exchange, route, frontendRoute, body));
      String aliasTarget = aliasable(route) ? frontendRoute.aliasTarget(request.model()) : null;
      if (aliasTarget != null && !frontendRoute.pins(route.kind()).has("model")) {
        request.aliasOf(request.model());
        request.model(aliasTarget);
      }
      request.affinityKey(affinityKey(exchange, route, body, frontend));
      int attempts = frontend.allowRetries() ? maxAttempts : 1;
      if (body != null && attempts > 1 && route.modelInBody()) body.retainForReplay();
      long deadline = frontend.timeoutMs() == 0 ? 0 : System.nanoTime() + frontend.timeoutMs() * 1_000_000L;
      List<String> labels = Labels.parse(request.headerValues(LABEL_HEADER));
      String routingModel = Selector.routingModel(route.kind(), request.model());
      if (routingModel != null) state.demand().record(routingModel);
      if (EveryBackend.handles(route)) {
        if (route == ProxyRoute.DELETE) state.unrequireModel(frontend.identifier(), request.model());
        EveryBackend.serve(exchange, request, frontendRoute, route,
            Selector.eligible(frontendRoute, route, labels, Set.of(), translators), body);
        return;
      }
      Translations translations = new Translations(translators, request, body);
      Set<String> tried = new HashSet<>();
      List<String> failures = new ArrayList<>();
      for (int attempt = 1; ; ) {
        Selector.Selection selection = selector.select(request, frontendRoute, labels, tried, translations, deadline);
        if (selection instanceof Selector.LeftRotation) {
          FrontendRoute current = state.routes().frontend(frontend.identifier());
          if (current != null) frontendRoute = current;
          continue;
        }
        if (!(selection instanceof Selector.Chosen chosen)) {
          throw new FlowException(ErrorCode.BACKEND_ERROR, "every attempt failed: " + String.join("; ", failures));
        }
        BackendState backend = chosen.backend();
        Attempt outcome;
        try {
          boolean retryAllowed = attempt < attempts && chosen.candidates() > 1;
          outcome = attempt(exchange, request, frontendRoute, backend, body, translations.forBackend(backend), deadline,
              retryAllowed);
        } finally {
          selector.release(backend);
        }
        if (outcome instanceof Attempt.Done) return;
        if (outcome instanceof Attempt.Failed failed) {
          FlowException e = failed.error();
          if (failures.isEmpty() || e.httpStatus() < 500) throw e;
          throw new FlowException(e.code(), "every attempt failed: " + String.join("; ", failures) + "; " + e.getMessage());
        }
        FlowException cause = ((Attempt.Retry) outcome).cause();
        String reason = cause.getMessage();
        log.debug("[{}] retrying after {}", request.requestId(), reason);
        events.retrying(request, backend.backend().identifier(), cause);
        tried.add(backend.backend().identifier());
        failures.add(reason);
        attempt++;
      }
    }
  }

  private static void admit(Frontend frontend, ProxyRoute route, FlowHttpExchange exchange) {
    String name = "frontend '" + frontend.identifier() + "'";
    if (!frontend.active()) {
      throw new FlowException(ErrorCode.FRONTEND_INACTIVE, name + " is inactive");
    }
    if (route.kind().isEmbeddings() && !frontend.allowEmbeddings()) {
      throw new FlowException(ErrorCode.FORBIDDEN, name + " does not allow embeddings requests");
    }
    if (route.kind().isCompletion() && !frontend.allowCompletions()) {
      throw new FlowException(ErrorCode.FORBIDDEN, name + " does not allow completions requests");
    }
    long length = UpstreamRequests.contentLength(exchange);
    if (length > frontend.maxRequestBodySize()) {
      throw ProxyErrors.tooLarge(frontend);
    }
  }

  private static ClientBody readBody(FlowHttpExchange exchange, ProxyRoute route, Frontend frontend) throws IOException {
    String method = exchange.method();
    if (method.equals("GET") || method.equals("HEAD")) return null;
    long limit = frontend.maxRequestBodySize();
    try {
      return route.modelInBody()
          ? ClientBody.sniffModel(exchange.requestBody(), limit, UpstreamRequests.contentLength(exchange), route.modelField())
          : ClientBody.passThrough(exchange.requestBody(), limit);
    } catch (ClientBodyException e) {
      if (e.tooLarge()) throw ProxyErrors.tooLarge(frontend);
      throw new ClientGoneException(e);
    }
  }

  /** The model the request is for: a frontend pin of {@code model} wins over what the client named. */
  private static String model(FlowHttpExchange exchange, ProxyRoute route, FrontendRoute frontendRoute, ClientBody body) {
    if (route.modelField() == null) return null;
    String pinned = frontendRoute.pins(route.kind()).path("model").textValue();
    if (pinned != null) return pinned;
    String model = route.modelField() == ProxyRoute.ModelField.PATH ? modelFromPath(exchange.rawPath(), route)
        : body == null ? null : body.model();
    if (model == null) {
      String field = route.modelField() == ProxyRoute.ModelField.SOURCE ? "source" : "model";
      throw new FlowException(ErrorCode.BAD_REQUEST, field + " is required");
    }
    return model;
  }

  /**
   * Routes on which a {@code ModelAliases} name stands for its target: inference and model
   * details. Model management (pull, delete, copy, create, push) takes real names only, so an
   * alias can never be pulled, deleted or overwritten by mistake.
   */
  private static boolean aliasable(ProxyRoute route) {
    return route.kind().isCompletion() || route.kind().isEmbeddings() || route.kind() == RequestKind.SHOW_MODEL;
  }

  /**
   * Blob uploads and the create that uses them must meet on one backend: both are routed by the
   * blob's digest ({@code /api/blobs/:digest}; the first digest in a create's {@code files} or
   * {@code adapters}), so the same digest always leads to the same backend.
   */
  private static String affinityKey(FlowHttpExchange exchange, ProxyRoute route, ClientBody body, Frontend frontend)
      throws IOException {
    if (route == ProxyRoute.BLOB) return exchange.rawPath().substring(route.path().length());
    if (route != ProxyRoute.CREATE || body == null) return null;
    JsonNode create = body.json(frontend);
    for (String field : List.of("files", "adapters")) {
      for (JsonNode digest : create.path(field)) {
        if (digest.isTextual()) return digest.textValue();
      }
    }
    return null;
  }

  private static String modelFromPath(String rawPath, ProxyRoute route) {
    String encoded = rawPath.substring(route.path().length());
    if (encoded.endsWith("/")) encoded = encoded.substring(0, encoded.length() - 1);
    try {
      String model = URLDecoder.decode(encoded.replace("+", "%2B"), StandardCharsets.UTF_8);
      return model.isEmpty() ? null : model;
    } catch (IllegalArgumentException e) {
      throw new FlowException(ErrorCode.BAD_REQUEST, "model id in path is not valid percent-encoding: " + encoded);
    }
  }

  /**
   * One attempt at one backend, which already holds a capacity slot for this request.
   *
   * @return whether an answer was relayed, or why this backend failed and whether another may be tried
   */
  private Attempt attempt(FlowHttpExchange exchange, RequestState request, FrontendRoute route, BackendState backend,
      ClientBody body, Translations.Translated translated, long deadline, boolean retryAllowed) throws IOException {
    String id = backend.backend().identifier();
    request.backendId(id);
    events.backendSelected(request, request.selectedBy());
    if (translated != null) {
      // Defaults and pins are written in the backend's dialect, so they apply after translation.
      TranslatedRequest sent = translated.request;
      byte[] json = sent.body() == null ? null : Json.MAPPER.writeValueAsBytes(PinnedBodies.applyTo(sent.body(),
          route.defaults(request.kind()), route.pins(request.kind()), backend.pins(request.kind())));
      Request upstream = UpstreamRequests.build(backend.backend(), exchange, sent.method(), sent.path(), json);
      return forward(exchange, request, route, backend, upstream, true, translated, deadline, retryAllowed);
    }
    String aliasTarget = request.aliasOf() != null && request.route().modelInBody() ? request.model() : null;
    try (ClientBody pinned = PinnedBodies.apply(body, aliasTarget, route.defaults(request.kind()),
        route.pins(request.kind()), backend.pins(request.kind()), route.frontend())) {
      String path = request.aliasOf() != null && request.route().modelField() == ProxyRoute.ModelField.PATH
          ? request.route().path() + URLEncoder.encode(request.model(), StandardCharsets.UTF_8).replace("+", "%20")
          : exchange.rawPath();
      Request upstream = UpstreamRequests.build(backend.backend(), exchange, pinned != null ? pinned : body,
          exchange.method(), path);
      return forward(exchange, request, route, backend, upstream, replayable(body), null, deadline, retryAllowed);
    }
  }

  /**
   * @param replayable whether the request's body can be sent again, which decides whether a retry is possible
   * @param translated how to answer back when the request was translated; null when relayed as it is
   */
  private Attempt forward(FlowHttpExchange exchange, RequestState request, FrontendRoute route, BackendState backend,
      Request upstream, boolean replayable, Translations.Translated translated, long deadline, boolean retryAllowed)
      throws IOException {
    String id = backend.backend().identifier();
    Call call = route.client().newCall(upstream);
    int inFlight = backend.activeRequests();
    long sentNanos = System.nanoTime();
    // A first attempt with the whole budget is bounded by the read timeout (= TimeoutMs); only a
    // request that already spent time queueing or on another backend needs its own deadline.
    long remaining = deadline - System.nanoTime();
    boolean budgetSpent = deadline != 0 && remaining < route.frontend().timeoutMs() * 1_000_000L - BUDGET_SLACK_NANOS;
    ScheduledFuture<?> watchdog = budgetSpent ? state.schedule(call::cancel, Math.max(0, remaining)) : null;
    Response response;
    try {
      response = call.execute();
    } catch (IOException e) {
      if (watchdog != null) watchdog.cancel(false);
      return failedCall(e, route.frontend(), backend, deadline, retryAllowed && replayable);
    }
    if (watchdog != null && !watchdog.cancel(false)) {
      response.close(); // the deadline passed just as the answer arrived
      return failedCall(new SocketTimeoutException("deadline"), route.frontend(), backend, deadline, false);
    }
    long firstByteNanos = System.nanoTime() - sentNanos;
    int code = response.code();
    boolean busy = code == 429 || code == 503;
    if (code >= 500 && !busy) {
      state.reportFailure(backend, "'" + id + "' answered " + code);
    } else {
      state.reportSuccess(backend);
    }
    if ((code >= 500 || code == 429) && retryAllowed && replayable) {
      response.close();
      return new Attempt.Retry(new FlowException(busy ? ErrorCode.BACKEND_BUSY : ErrorCode.BACKEND_ERROR,
          "backend '" + id + "' answered " + code));
    }
    AnswerTimings timings;
    try (response) {
      timings = translated != null ? new TranslatingRelay(exchange, request, events, translated).relay(call, response, id)
          : new ResponseRelay(exchange, request, events).relay(call, response, id);
    }
    request.answered(timings);
    if (code == 200 && (request.kind().isCompletion() || request.kind().isEmbeddings())) {
      backend.load().recordAnswer(inFlight, backend.backend().maxParallelRequests(), firstByteNanos,
          System.nanoTime() - sentNanos, timings);
      backend.models().markLoaded(ModelNames.canonical(request.model()),
          clock.instant().plus(Selector.OLLAMA_KEEP_ALIVE));
      if (request.coldLoad()) state.refreshModelsSoon(id);
    }
    if (code == 200 && request.kind() == RequestKind.PULL_MODEL) {
      state.requireModel(route.frontend().identifier(), request.model());
    }
    if (route.frontend().useStickySessions() && code < 500 && code != 429) {
      state.sticky().bind(route.frontend().identifier(), request.clientKey(), id,
          Selector.stickyTtl(route.frontend()));
    }
    return Attempt.DONE;
  }

  private static boolean replayable(ClientBody body) {
    return body == null || body.replayable();
  }

  /** Decides what a failed call means: the client's fault, a timeout, or a backend failure to retry or report. */
  private Attempt failedCall(IOException e, Frontend frontend, BackendState backend, long deadline,
      boolean retryAllowed) throws ClientGoneException {
    ClientBodyException clientSide = ClientBodyException.in(e);
    if (clientSide != null) {
      if (clientSide.tooLarge()) return new Attempt.Failed(ProxyErrors.tooLarge(frontend));
      throw new ClientGoneException(clientSide);
    }
    String name = "backend '" + backend.backend().identifier() + "' (" + backend.backend().baseUrl() + ")";
    boolean expired = deadline != 0 && System.nanoTime() - deadline >= 0;
    if (expired || e instanceof SocketTimeoutException) {
      String reason = name + " sent no response within " + frontend.timeoutMs() + " ms (TimeoutMs of frontend '"
          + frontend.identifier() + "')";
      state.reportFailure(backend, reason);
      if (expired || !retryAllowed) return new Attempt.Failed(new FlowException(ErrorCode.TIMEOUT, reason));
      return new Attempt.Retry(new FlowException(ErrorCode.TIMEOUT, reason));
    }
    String reason = e instanceof ConnectException ? name + " refused the connection"
        : e instanceof UnknownHostException ? name + ": unknown host"
        : name + " failed: " + e.getMessage();
    state.reportFailure(backend, reason);
    FlowException failure = new FlowException(ErrorCode.BACKEND_ERROR, reason);
    return retryAllowed ? new Attempt.Retry(failure) : new Attempt.Failed(failure);
  }

  private void answerWithError(FlowHttpExchange exchange, RequestState request, FlowException e) {
    events.requestFailed(request, e);
    if (request.responseStarted()) return;
    log.debug("[{}] {} {} -> {} {}", request.requestId(), exchange.method(), exchange.rawPath(), e.httpStatus(),
        e.getMessage());
    byte[] body = ErrorResponses.body(request.dialect(), e);
    boolean head = exchange.method().equals("HEAD");
    exchange.addResponseHeader("Content-Type", ErrorResponses.JSON_CONTENT_TYPE);
    if (e.httpStatus() == 429 || e.httpStatus() == 503) exchange.addResponseHeader("Retry-After", "1");
    if (e.code() == ErrorCode.METHOD_NOT_ALLOWED) allowHeader(exchange);
    try {
      exchange.sendResponseHeaders(e.httpStatus(), head ? 0 : body.length);
      request.responseStarted(e.httpStatus());
      if (!head) {
        OutputStream out = exchange.responseBody();
        out.write(body);
        out.flush();
      }
    } catch (IOException clientGone) {
      log.debug("[{}] could not send the error, client went away: {}", request.requestId(), clientGone.getMessage());
    }
  }

  private static void allowHeader(FlowHttpExchange exchange) {
    ProxyRoute route = RouteClassifier.lookup(exchange.rawPath());
    if (route != null) exchange.addResponseHeader("Allow", String.join(", ", route.methods()));
  }
}
