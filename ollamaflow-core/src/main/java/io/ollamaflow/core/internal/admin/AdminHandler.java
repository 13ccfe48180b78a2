package io.ollamaflow.core.internal.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.ollamaflow.api.ErrorCode;
import io.ollamaflow.api.FlowException;
import io.ollamaflow.api.StoreUnavailableException;
import io.ollamaflow.api.LogSafe;
import io.ollamaflow.core.FlowAdmin;
import io.ollamaflow.core.http.FlowHttpExchange;
import io.ollamaflow.core.http.FlowHttpHandler;
import io.ollamaflow.core.internal.cors.CorsHandler;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts the admin API in front of the proxy on the same port, for any Host: paths under
 * {@code /v1.0/} are admin routes (see {@link AdminRoutes}), paths under {@code /dashboard/} the
 * web dashboard's files (see {@link DashboardAssets}), everything else goes to the proxy.
 * {@code OPTIONS} on an admin path is answered as a CORS preflight, so a dashboard served from
 * another origin can call the API; admin answers allow any origin. Admin calls need
 * {@code Authorization: Bearer <token>} with one of the configured tokens; errors take
 * OllamaFlow's shape {@code {"Error","Message","StatusCode","Description"}} with the real status.
 *
 * <p>Nothing secret is logged or answered: bodies and the Authorization header are never logged,
 * and backends are shown redacted (see {@link Secrets}). Bad input is a 4xx naming what was
 * wrong, never a 500, and changes nothing. A call that needs a database which cannot be reached
 * ({@link StoreUnavailableException}) answers 503 with {@code Retry-After}, naming the database.
 *
 * <p>Threading: called concurrently by request threads; holds no state of its own.
 */
public final class AdminHandler implements FlowHttpHandler {
  /** The largest admin request body read; larger ones are refused with 413. */
  static final int MAX_BODY_BYTES = 4 * 1024 * 1024;
  static final String ALLOWED_METHODS = "OPTIONS, HEAD, GET, PUT, POST, DELETE";
  private static final String PREFIX_SEGMENT = "v1.0";
  /** Seconds a client should wait before retrying when the database is unavailable. */
  private static final String STORE_RETRY_AFTER_SECONDS = "5";
  private static final String JSON_CONTENT_TYPE = "application/json; charset=utf-8";
  private static final Logger log = LoggerFactory.getLogger(AdminHandler.class);

  private final AdminRoutes routes;
  private final AdminAuth auth;
  private final FlowHttpHandler proxy;

  /**
   * @param tokens the accepted bearer tokens; at least one
   * @param proxy serves every request that is not an admin call or a preflight
   */
  public AdminHandler(FlowAdmin admin, List<String> tokens, FlowHttpHandler proxy) {
    if (tokens.isEmpty()) throw new IllegalArgumentException("tokens: [] (expected: at least one admin token)");
    this.routes = new AdminRoutes(admin);
    this.auth = new AdminAuth(tokens);
    this.proxy = proxy;
  }

  @Override
  public void handle(FlowHttpExchange exchange) throws IOException {
    if (DashboardAssets.handles(exchange.rawPath())) {
      DashboardAssets.serve(exchange);
      return;
    }
    if (!isAdminPath(exchange.rawPath())) {
      proxy.handle(exchange);
      return;
    }
    if (exchange.method().equals("OPTIONS")) {
      // Any origin: the API takes a bearer token, never cookies, so another site gains nothing.
      exchange.addResponseHeader("Access-Control-Allow-Origin", "*");
      CorsHandler.preflight(exchange, ALLOWED_METHODS);
      return;
    }
    serveAdmin(exchange);
  }

  /** True when the first non-empty path segment is {@code v1.0}: empty segments are ignored, as OllamaFlow does. */
  static boolean isAdminPath(String rawPath) {
    int start = 0;
    while (start < rawPath.length() && rawPath.charAt(start) == '/') start++;
    return rawPath.startsWith(PREFIX_SEGMENT, start)
        && (rawPath.length() == start + PREFIX_SEGMENT.length() || rawPath.charAt(start + PREFIX_SEGMENT.length()) == '/');
  }

  private void serveAdmin(FlowHttpExchange exchange) throws IOException {
    String requestId = UUID.randomUUID().toString();
    exchange.addResponseHeader("X-OllamaFlow-Request", requestId);
    exchange.addResponseHeader("Access-Control-Allow-Origin", "*");
    exchange.addResponseHeader("Access-Control-Expose-Headers", "*");
    String what = exchange.method() + " " + LogSafe.of(exchange.rawPath());
    String refusal = auth.refusal(exchange.requestHeader("Authorization"), exchange.rawQuery());
    if (refusal != null) {
      log.warn("[{}] admin {} from {} refused: {}", requestId, what, exchange.remoteAddress(), LogSafe.of(refusal));
      exchange.addResponseHeader("WWW-Authenticate", "Bearer");
      send(exchange, 401, AdminJson.error(AdminJson.AdminError.AUTHENTICATION_FAILED, 401, refusal));
      return;
    }
    AdminRoutes.Reply reply;
    try {
      reply = routes.serve(new ExchangeRequest(exchange));
    } catch (AdminRoutes.MethodNotAllowed e) {
      exchange.addResponseHeader("Allow", e.allowed());
      reply = errorReply(e, e.httpStatus());
    } catch (FlowException e) {
      reply = errorReply(e, e.httpStatus());
    } catch (StoreUnavailableException e) {
      // The database is down or slow: a condition that passes, not a fault of ours. Routing goes on.
      exchange.addResponseHeader("Retry-After", STORE_RETRY_AFTER_SECONDS);
      reply = errorReply(new FlowException(ErrorCode.STORE_UNAVAILABLE, e.getMessage()), 503);
    } catch (IllegalArgumentException e) {
      // The configuration builders' and readers' validation: the message names field, value and expectation.
      reply = errorReply(new FlowException(ErrorCode.BAD_REQUEST, FieldNames.pascalCase(e.getMessage())), 400);
    } catch (RuntimeException e) {
      log.error("[{}] admin {} failed", requestId, what, e);
      reply = errorReply(new FlowException(ErrorCode.INTERNAL, "internal error (request " + requestId
          + "); see the server log"), 500);
    }
    logReply(requestId, what, exchange, reply);
    send(exchange, reply.status(), reply.body());
  }

  private static AdminRoutes.Reply errorReply(FlowException e, int status) {
    return new AdminRoutes.Reply(status, AdminJson.error(AdminJson.AdminError.of(e.code()), status, e.getMessage()),
        e.getMessage());
  }

  private static void logReply(String requestId, String what, FlowHttpExchange exchange, AdminRoutes.Reply reply) {
    boolean write = !exchange.method().equals("GET") && !exchange.method().equals("HEAD");
    String note = reply.note() == null ? "" : ": " + LogSafe.of(reply.note());
    if (write || reply.status() >= 400) {
      log.info("[{}] admin {} from {} -> {}{}", requestId, what, exchange.remoteAddress(), reply.status(), note);
    } else {
      log.debug("[{}] admin {} -> {}", requestId, what, reply.status());
    }
  }

  private static void send(FlowHttpExchange exchange, int status, JsonNode body) throws IOException {
    boolean noBody = body == null || status == 204 || exchange.method().equals("HEAD");
    if (body != null) exchange.addResponseHeader("Content-Type", JSON_CONTENT_TYPE);
    if (noBody) {
      exchange.sendResponseHeaders(status, 0);
      return;
    }
    byte[] bytes = AdminJson.bytes(body);
    exchange.sendResponseHeaders(status, bytes.length);
    OutputStream out = exchange.responseBody();
    out.write(bytes);
    out.flush();
  }

  /** The exchange as the routes see it; the body is read on demand, up to {@link #MAX_BODY_BYTES}. */
  private static final class ExchangeRequest implements AdminRoutes.Request {
    private final FlowHttpExchange exchange;

    ExchangeRequest(FlowHttpExchange exchange) {
      this.exchange = exchange;
    }

    @Override
    public String method() {
      return exchange.method();
    }

    @Override
    public String rawPath() {
      return exchange.rawPath();
    }

    @Override
    public String rawQuery() {
      return exchange.rawQuery();
    }

    @Override
    public byte[] body() {
      try (InputStream in = exchange.requestBody()) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        int n;
        while ((n = in.read(buffer)) > 0) {
          out.write(buffer, 0, n);
          if (out.size() > MAX_BODY_BYTES) {
            throw new FlowException(ErrorCode.PAYLOAD_TOO_LARGE, "the request body is larger than "
                + MAX_BODY_BYTES + " bytes (expected: one frontend or backend object)");
          }
        }
        return out.toByteArray();
      } catch (IOException e) {
        throw new FlowException(ErrorCode.BAD_REQUEST, "the request body could not be read: " + e.getMessage());
      }
    }
  }
}
