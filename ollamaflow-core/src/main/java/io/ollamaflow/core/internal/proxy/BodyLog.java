package io.ollamaflow.core.internal.proxy;

import io.ollamaflow.api.Backend;
import io.ollamaflow.api.Frontend;
import io.ollamaflow.api.LogSafe;
import io.ollamaflow.core.internal.ClusterState;
import io.ollamaflow.core.internal.admin.Secrets;
import io.ollamaflow.core.internal.routing.BackendState;
import io.ollamaflow.core.internal.routing.FrontendSnapshot;
import io.ollamaflow.core.internal.routing.RouteTable;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Request and answer bodies written to the log at info, on logger {@value #LOGGER}: for every
 * request when the cluster asks for it ({@code FlowCluster.Builder.logBodies}), and for the
 * requests of a frontend, or served by a backend, whose {@code LogRequestBody} /
 * {@code LogResponseBody} is set. The request body is what the client sent; the answer body is
 * what the client received (after any translation), for answers relayed from a backend. Each body is cut to its first
 * {@value #MAX_BYTES} bytes, its length in all noted; credentials are replaced by
 * {@link Secrets#PLACEHOLDER} (JSON members named like one, and bearer tokens anywhere); control
 * characters are escaped, so a body is one log line. A frontend's or backend's {@code LogRequestFull}
 * logs its requests whole: their head (method, path, query, client address, headers; values that
 * may hold a credential shown as the placeholder) and their body.
 *
 * <p>Threading: shared by request threads; its only state is a cache of one answer per routing snapshot.
 */
public final class BodyLog {
  /** The logger the bodies are written to. */
  static final String LOGGER = "ollamaflow.bodies";
  /** The most bytes of one body written. */
  static final int MAX_BYTES = 8192;
  private static final Logger log = LoggerFactory.getLogger(LOGGER);
  /** A JSON string member whose name is a credential's: {@code "api_key": "..."}. */
  private static final Pattern SECRET_MEMBER = Pattern.compile("(?i)(\"(?:authorization|password|passwd|secret|"
      + "client_secret|token|access_token|refresh_token|id_token|bearer_?token|api[_-]?key|x-api-key)\"\\s*:\\s*\")"
      + "(?:[^\"\\\\]|\\\\.)*(\"?)");
  private static final Pattern BEARER = Pattern.compile("(?i)(bearer\\s+)[A-Za-z0-9._~+/=-]+");

  /** Whether any frontend or backend of one routing snapshot logs bodies or whole requests. */
  private record Flags(RouteTable routes, boolean any) {}

  private final ClusterState state;
  private final boolean requests;
  private final boolean responses;
  /** Replaced whole when the snapshot changed; two threads doing it at once write the same answer. */
  private volatile Flags flags = new Flags(null, false);

  /**
   * @param requests log every request's body
   * @param responses log every answer's body
   */
  public BodyLog(ClusterState state, boolean requests, boolean responses) {
    this.state = state;
    this.requests = requests;
    this.responses = responses;
  }

  /** The call as the pipeline should use it: one that keeps its bodies' first bytes, when any may be logged. */
  ProxyCall watch(ProxyCall call, RequestState request) {
    return requests || responses || anyFlagged() ? new BodyCapture(call, request, this) : call;
  }

  /** True when a frontend or backend of the current routes logs bodies; worked out once per routing snapshot. */
  private boolean anyFlagged() {
    RouteTable routes = state.routes();
    Flags known = flags;
    if (known.routes() == routes) return known.any();
    boolean any = false;
    for (FrontendSnapshot snapshot : routes.frontends()) {
      Frontend frontend = snapshot.frontend();
      any |= frontend.logRequestBody() || frontend.logResponseBody() || frontend.logRequestFull();
      for (BackendState backend : snapshot.backends()) {
        Backend b = backend.backend();
        any |= b.logRequestBody() || b.logResponseBody() || b.logRequestFull();
      }
    }
    flags = new Flags(routes, any);
    return any;
  }

  /**
   * Whether this request's body may be logged, asked when the body is opened: its frontend is
   * known then, but not yet the backend, so a flag on any of the frontend's backends counts.
   */
  boolean mayLogRequestOf(RequestState request) {
    return requests || flaggedOnRoute(request, f -> f.logRequestBody() || f.logRequestFull(),
        b -> b.logRequestBody() || b.logRequestFull(), null);
  }

  boolean mayLogResponseOf(RequestState request) {
    return responses || flaggedOnRoute(request, Frontend::logResponseBody, Backend::logResponseBody, null);
  }

  /**
   * Where the reading stage puts the start of the request's body, when it may be logged: kept on
   * the request, whether the body was read whole or refused; null when it is not logged.
   */
  Consumer<BodyExcerpt> requestBodyKeeper(RequestState request) {
    return mayLogRequestOf(request) ? request::loggedRequestBody : null;
  }

  /** Writes what {@code call} kept, if it is a capture that kept anything its request's flags ask for. */
  void write(ProxyCall call, RequestState request) {
    if (!(call instanceof BodyCapture capture)) return;
    String backendId = request.backendId();
    boolean full = flaggedOnRoute(request, Frontend::logRequestFull, Backend::logRequestFull, backendId);
    if (full) log.info("[{}] request head: {}", request.requestId(), head(capture));
    BodyExcerpt sent = request.loggedRequestBody();
    if (sent != null
        && (requests || full || flaggedOnRoute(request, Frontend::logRequestBody, Backend::logRequestBody, backendId))) {
      log.info("[{}] request body ({}): {}", request.requestId(), size(sent), text(sent));
    }
    if (capture.responseBody != null
        && (responses || flaggedOnRoute(request, Frontend::logResponseBody, Backend::logResponseBody, backendId))) {
      BodyExcerpt answer = capture.responseBody.excerpt();
      log.info("[{}] response body ({}): {}", request.requestId(), size(answer), text(answer));
    }
  }

  /**
   * True when the request's frontend has the flag, or one of its backends does: the one named
   * {@code backendId}, or any when that is null.
   */
  private static boolean flaggedOnRoute(RequestState request, Predicate<Frontend> frontendFlag,
      Predicate<Backend> backendFlag, String backendId) {
    FrontendSnapshot snapshot = request.frontendSnapshot();
    if (snapshot == null) return false;
    if (frontendFlag.test(snapshot.frontend())) return true;
    for (BackendState backend : snapshot.backends()) {
      if ((backendId == null || backendId.equals(backend.backend().identifier())) && backendFlag.test(backend.backend())) {
        return true;
      }
    }
    return false;
  }

  /**
   * The request as the client sent it, but for its body: method, path, query and headers, values a
   * credential may hide in shown as {@link Secrets#PLACEHOLDER}.
   */
  private static String head(ProxyCall call) {
    StringBuilder head = new StringBuilder(call.method()).append(' ').append(call.rawPath());
    if (call.rawQuery() != null) head.append('?').append(Secrets.redactedQuery(call.rawQuery()));
    head.append(" from ").append(call.remoteAddress());
    call.forEachRequestHeader((name, value) ->
        head.append(" | ").append(name).append(": ").append(Secrets.shownRequestHeader(name, value)));
    return LogSafe.of(head.toString(), Integer.MAX_VALUE);
  }

  private static String size(BodyExcerpt kept) {
    long total = kept.total();
    return total > kept.size() ? total + " bytes, the first " + kept.size() + " shown" : total + " bytes";
  }

  /** The kept bytes as text with credentials redacted and control characters escaped. */
  static String text(BodyExcerpt kept) {
    String text = new String(kept.bytes(), 0, kept.size(), StandardCharsets.UTF_8);
    text = SECRET_MEMBER.matcher(text).replaceAll("$1" + Secrets.PLACEHOLDER + "$2");
    text = BEARER.matcher(text).replaceAll("$1" + Secrets.PLACEHOLDER);
    return LogSafe.of(text, Integer.MAX_VALUE);
  }
}
