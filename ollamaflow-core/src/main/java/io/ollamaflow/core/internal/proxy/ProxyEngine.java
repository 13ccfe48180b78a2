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
import java.time.Duration;
import java.time.Instant;
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
  /** How long Ollama keeps a model in memory after a request unless told otherwise. */
  private static final Duration OLLAMA_KEEP_ALIVE = Duration.ofMinutes(5);
  /** Time spent before the first attempt that still counts as the whole TimeoutMs budget. */
  private static final long BUDGET_SLACK_NANOS = 5_000_000;

  private final ClusterState state;
  private final Events events;
  private final List<String> stickyHeaders;
  private final int maxAttempts;
  private final TranslatorRegistry translators;
  private final CapacityGate gate = new CapacityGate();

  public ProxyEngine(ClusterState state, Events events, List<String> stickyHeaders, int maxAttempts,
      TranslatorRegistry translators) {
    this.state = state;
    this.events = events;
    this.stickyHeaders = List.copyOf(stickyHeaders);
    this.maxAttempts = maxAttempts;
    this.translators = translators;
  }

  /** Requests of this frontend waiting for a backend slot. */
  public int queued(String frontendId) {
    return gate.queued(frontendId);
  }

  @Override
  public void handle(FlowHttpExchange exchange) throws IOException {
    RequestState request = new RequestState(exchange, stickyHeaders);
    exchange.addResponseHeader(REQUEST_ID_HEADER, request.requestId());
    try {
      serve(exchange, request);
      if (request.midResponseFailure() != null) events.requestFailed(request, request.midResponseFailure());
      else events.requestFinished(request);
    } catch (FlowException e) {
      answerWithError(exchange, request, e);
    } catch (ClientGoneException e) {
      if (request.midResponseFailure() != null) events.requestFailed(request, request.midResponseFailure());
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
      List<BackendState> all = BackendSelector.eligible(frontendRoute, route,
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
      String routingModel = BackendSelector.routingModel(route.kind(), request.model());
      if (routingModel != null) state.demand().record(routingModel);
      if (EveryBackend.handles(route)) {
        if (route == ProxyRoute.DELETE) state.unrequireModel(frontend.identifier(), request.model());
        EveryBackend.serve(exchange, request, frontendRoute, route,
            BackendSelector.eligible(frontendRoute, route, labels, Set.of(), translators), body);
        return;
      }
      Translations translations = new Translations(translators, request, body);
      Set<String> tried = new HashSet<>();
      List<String> failures = new ArrayList<>();
      for (int attempt = 1; ; attempt++) {
        List<BackendState> eligible = BackendSelector.eligible(frontendRoute, route, labels, tried, translators);
        if (routingModel != null) {
          eligible = BackendSelector.holding(eligible, routingModel, tried.isEmpty(), frontend, route.format(),
              request.model());
        }
        eligible = translations.expressible(eligible);
        if (eligible.isEmpty()) {
          throw new FlowException(ErrorCode.BACKEND_ERROR, "every attempt failed: " + String.join("; ", failures));
        }
        BackendState backend = acquire(frontendRoute, eligible, routingModel, request, deadline);
        if (backend == null) {
          // The slot freed while we waited was on a backend that has since left rotation: look again.
          FrontendRoute current = state.routes().frontend(frontend.identifier());
          if (current != null) frontendRoute = current;
          attempt--;
          continue;
        }
        String failure;
        try {
          boolean retryAllowed = attempt < attempts && eligible.size() > 1;
          failure = attempt(exchange, request, frontendRoute, backend, body, translations.forBackend(backend), deadline,
              retryAllowed);
        } catch (FlowException e) {
          if (failures.isEmpty() || e.httpStatus() < 500) throw e;
          throw new FlowException(e.code(), "every attempt failed: " + String.join("; ", failures) + "; " + e.getMessage());
        } finally {
          gate.release(backend);
        }
        if (failure == null) return;
        log.debug("[{}] retrying after {}", request.requestId(), failure);
        tried.add(backend.backend().identifier());
        failures.add(failure);
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
   * Takes a capacity slot on one of the eligible backends: the sticky one if it has room, else the
   * balancer's choice among those with room (among those with the model in memory, if any of them
   * has room: a warm backend wins until it is full, then an idle cold one is better than waiting),
   * else the first to free a slot while the request waits.
   */
  private BackendState acquire(FrontendRoute route, List<BackendState> eligible, String routingModel,
      RequestState request, long deadline) throws InterruptedException {
    Frontend frontend = route.frontend();
    if (frontend.useStickySessions()) {
      String boundId = state.sticky().lookup(frontend.identifier(), request.clientKey(), stickyTtl(frontend));
      for (BackendState candidate : eligible) {
        if (candidate.backend().identifier().equals(boundId) && candidate.tryAcquire()) {
          request.selectedBy("sticky");
          return candidate;
        }
      }
    }
    if (request.affinityKey() != null) {
      BackendState preferred = eligible.get(Math.floorMod(request.affinityKey().hashCode(), eligible.size()));
      if (preferred.tryAcquire()) {
        request.selectedBy("blob affinity");
        return preferred;
      }
    }
    for (int tries = 0; tries < 3; tries++) {
      List<BackendView> free = new ArrayList<>(eligible.size());
      for (BackendState candidate : eligible) {
        if (candidate.hasCapacity()) free.add(candidate);
      }
      if (free.isEmpty()) break;
      if (routingModel != null) {
        Instant now = Instant.now();
        List<BackendView> warm = BackendSelector.warm(free, routingModel, now);
        if (!warm.isEmpty()) {
          free = warm;
        } else {
          List<BackendView> harmless = BackendSelector.leastDemandedResidents(free, state.demand(), now);
          if (!harmless.isEmpty()) free = harmless;
          request.coldLoad(true);
        }
      }
      BackendState chosen = BackendSelector.pick(route, free, request);
      if (chosen.tryAcquire()) {
        request.selectedBy(route.balancerName());
        return chosen;
      }
    }
    refuseIfOverRateLimit(frontend, eligible);
    long wait = deadline == 0 ? Long.MAX_VALUE : deadline - System.nanoTime();
    BackendState freed = wait <= 0 ? null : gate.await(frontend.identifier(), eligible, wait);
    if (freed == null) {
      throw new FlowException(ErrorCode.TIMEOUT, "no backend of frontend '" + frontend.identifier()
          + "' had a free slot (MaxParallelRequests) within " + frontend.timeoutMs() + " ms");
    }
    BackendState current = stillInRotation(frontend.identifier(), freed.backend().identifier());
    if (current == null) {
      gate.release(freed);
      return null;
    }
    request.selectedBy(route.balancerName() + ", after queueing");
    return current;
  }

  /**
   * The current version of a backend that freed a slot while a request waited, or null when it
   * left rotation meanwhile (deactivated, removed from the frontend, unhealthy): the waiter's
   * candidates were chosen before it waited.
   */
  private BackendState stillInRotation(String frontendId, String backendId) {
    FrontendRoute route = state.routes().frontend(frontendId);
    if (route == null) return null;
    for (BackendState backend : route.backends()) {
      if (backend.backend().identifier().equals(backendId)) {
        return backend.backend().active() && backend.health().state().routable() ? backend : null;
      }
    }
    return null;
  }

  /** RateLimitRequestsThreshold: the eligible backends' thresholds bound what is in flight plus queued. */
  private void refuseIfOverRateLimit(Frontend frontend, List<BackendState> eligible) {
    long limit = 0;
    long load = gate.queued(frontend.identifier());
    for (BackendState backend : eligible) {
      limit += backend.backend().rateLimitRequestsThreshold();
      load += backend.activeRequests();
    }
    if (load >= limit) {
      throw new FlowException(ErrorCode.BACKEND_BUSY, "frontend '" + frontend.identifier() + "' is at capacity: "
          + load + " requests in flight or queued reach the RateLimitRequestsThreshold total (" + limit
          + ") of its eligible backends");
    }
  }

  private static Duration stickyTtl(Frontend frontend) {
    return Duration.ofMillis(frontend.stickySessionExpirationMs());
  }

  /**
   * One attempt at one backend, which already holds a capacity slot for this request.
   *
   * @return null when an answer was relayed to the client; otherwise why this backend failed,
   *     when the request may be retried elsewhere
   */
  private String attempt(FlowHttpExchange exchange, RequestState request, FrontendRoute route, BackendState backend,
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
  private String forward(FlowHttpExchange exchange, RequestState request, FrontendRoute route, BackendState backend,
      Request upstream, boolean replayable, Translations.Translated translated, long deadline, boolean retryAllowed)
      throws IOException {
    String id = backend.backend().identifier();
    Call call = route.client().newCall(upstream);
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
    int code = response.code();
    boolean busy = code == 429 || code == 503;
    if (code >= 500 && !busy) {
      state.reportFailure(backend, "'" + id + "' answered " + code);
    } else {
      state.reportSuccess(backend);
    }
    if ((code >= 500 || code == 429) && retryAllowed && replayable) {
      response.close();
      return "backend '" + id + "' answered " + code;
    }
    try (response) {
      if (translated != null) new TranslatingRelay(exchange, request, events, translated).relay(call, response, id);
      else new ResponseRelay(exchange, request, events).relay(call, response, id);
    }
    if (code == 200 && (request.kind().isCompletion() || request.kind().isEmbeddings())) {
      backend.models().markLoaded(ModelNames.canonical(request.model()), Instant.now().plus(OLLAMA_KEEP_ALIVE));
      if (request.coldLoad()) state.refreshModelsSoon(id);
    }
    if (code == 200 && request.kind() == RequestKind.PULL_MODEL) {
      state.requireModel(route.frontend().identifier(), request.model());
    }
    if (route.frontend().useStickySessions() && code < 500 && code != 429) {
      state.sticky().bind(route.frontend().identifier(), request.clientKey(), id, stickyTtl(route.frontend()));
    }
    return null;
  }

  private static boolean replayable(ClientBody body) {
    return body == null || body.replayable();
  }

  /** Decides what a failed call means: the client's fault, a timeout, or a backend failure to retry or report. */
  private String failedCall(IOException e, Frontend frontend, BackendState backend, long deadline, boolean retryAllowed)
      throws IOException {
    ClientBodyException clientSide = ClientBodyException.in(e);
    if (clientSide != null) {
      if (clientSide.tooLarge()) throw ProxyErrors.tooLarge(frontend);
      throw new ClientGoneException(clientSide);
    }
    String name = "backend '" + backend.backend().identifier() + "' (" + backend.backend().baseUrl() + ")";
    boolean expired = deadline != 0 && System.nanoTime() - deadline >= 0;
    if (expired || e instanceof SocketTimeoutException) {
      String reason = name + " sent no response within " + frontend.timeoutMs() + " ms (TimeoutMs of frontend '"
          + frontend.identifier() + "')";
      state.reportFailure(backend, reason);
      if (expired || !retryAllowed) throw new FlowException(ErrorCode.TIMEOUT, reason);
      return reason;
    }
    String reason = e instanceof ConnectException ? name + " refused the connection"
        : e instanceof UnknownHostException ? name + ": unknown host"
        : name + " failed: " + IoFailures.describe(e);
    state.reportFailure(backend, reason);
    if (!retryAllowed) throw new FlowException(ErrorCode.BACKEND_ERROR, reason);
    return reason;
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
