package io.ollamaflow.core.internal.proxy;

import io.ollamaflow.api.ErrorCode;
import io.ollamaflow.api.FlowEventListener;
import io.ollamaflow.api.FlowException;
import io.ollamaflow.api.Frontend;
import io.ollamaflow.core.http.FlowHttpExchange;
import io.ollamaflow.core.http.FlowHttpHandler;
import io.ollamaflow.core.internal.ClusterState;
import io.ollamaflow.core.internal.routing.BackendState;
import io.ollamaflow.core.internal.routing.FrontendRoute;
import io.ollamaflow.core.internal.routing.ProxyRoute;
import io.ollamaflow.core.internal.routing.RouteClassifier;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URLDecoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import okhttp3.Call;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The request path: classify, match the frontend, admit, read the model, pick a backend, forward,
 * relay. Every refusal is a {@link FlowException} answered in the client's dialect.
 */
public final class ProxyEngine implements FlowHttpHandler {
  static final String REQUEST_ID_HEADER = "X-OllamaFlow-Request";
  private static final Logger log = LoggerFactory.getLogger(ProxyEngine.class);

  private final ClusterState state;
  private final Events events;
  private final List<String> stickyHeaders;

  public ProxyEngine(ClusterState state, FlowEventListener listener, List<String> stickyHeaders) {
    this.state = state;
    this.events = new Events(listener);
    this.stickyHeaders = List.copyOf(stickyHeaders);
  }

  @Override
  public void handle(FlowHttpExchange exchange) throws IOException {
    RequestState request = new RequestState(exchange, stickyHeaders);
    exchange.addResponseHeader(REQUEST_ID_HEADER, request.requestId());
    try {
      serve(exchange, request);
      events.requestFinished(request);
    } catch (FlowException e) {
      answerWithError(exchange, request, e);
    } catch (ClientGoneException e) {
      log.debug("[{}] client went away: {}", request.requestId(), e.getMessage());
    } catch (RuntimeException e) {
      log.error("[{}] unexpected failure serving {} {}", request.requestId(), exchange.method(), exchange.rawPath(), e);
      answerWithError(exchange, request, new FlowException(ErrorCode.INTERNAL, "internal error (request "
          + request.requestId() + ")", e));
    }
  }

  private void serve(FlowHttpExchange exchange, RequestState request) throws IOException {
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
    try (ClientBody body = readBody(exchange, route, frontend)) {
      String model = route.modelField() == ProxyRoute.ModelField.PATH ? modelFromPath(exchange.rawPath(), route)
          : body == null ? null : body.model();
      if (route.modelField() != null && model == null) {
        String field = route.modelField() == ProxyRoute.ModelField.SOURCE ? "source" : "model";
        throw new FlowException(ErrorCode.BAD_REQUEST, field + " is required");
      }
      request.model(model);
      BackendState backend = BackendSelector.select(frontendRoute, route, request);
      request.backendId(backend.backend().identifier());
      events.backendSelected(request, frontendRoute.balancerName());
      forward(exchange, request, frontendRoute, backend, body);
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
      throw tooLarge(frontend);
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
      if (e.tooLarge()) throw tooLarge(frontend);
      throw new ClientGoneException(e);
    }
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

  private void forward(FlowHttpExchange exchange, RequestState request, FrontendRoute route, BackendState backend,
      ClientBody body) throws IOException {
    Call call = route.client().newCall(UpstreamRequests.build(backend.backend(), exchange, body));
    backend.requestStarted();
    try {
      Response response;
      try {
        response = call.execute();
      } catch (IOException e) {
        throw forwardFailure(e, route.frontend(), backend);
      }
      try (response) {
        new ResponseRelay(exchange, request, events).relay(call, response, backend.backend().identifier());
      }
    } finally {
      backend.requestEnded();
    }
  }

  private static IOException forwardFailure(IOException e, Frontend frontend, BackendState backend) throws IOException {
    ClientBodyException clientSide = ClientBodyException.in(e);
    if (clientSide != null) {
      if (clientSide.tooLarge()) throw tooLarge(frontend);
      throw new ClientGoneException(clientSide);
    }
    String name = "backend '" + backend.backend().identifier() + "' (" + backend.backend().baseUrl() + ")";
    if (e instanceof SocketTimeoutException) {
      throw new FlowException(ErrorCode.TIMEOUT, name + " sent no response within " + frontend.timeoutMs()
          + " ms (TimeoutMs of frontend '" + frontend.identifier() + "')");
    }
    if (e instanceof ConnectException) {
      throw new FlowException(ErrorCode.BACKEND_ERROR, name + " refused the connection");
    }
    if (e instanceof UnknownHostException) {
      throw new FlowException(ErrorCode.BACKEND_ERROR, name + ": unknown host");
    }
    throw new FlowException(ErrorCode.BACKEND_ERROR, name + " failed: " + e.getMessage());
  }

  private static FlowException tooLarge(Frontend frontend) {
    return new FlowException(ErrorCode.PAYLOAD_TOO_LARGE, "request body exceeds MaxRequestBodySize of frontend '"
        + frontend.identifier() + "' (" + frontend.maxRequestBodySize() + " bytes)");
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
