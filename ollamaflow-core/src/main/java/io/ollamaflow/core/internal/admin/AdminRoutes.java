package io.ollamaflow.core.internal.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ollamaflow.api.ApiKey;
import io.ollamaflow.api.Backend;
import io.ollamaflow.api.ErrorCode;
import io.ollamaflow.api.FlowException;
import io.ollamaflow.api.Frontend;
import io.ollamaflow.core.ConfigJson;
import io.ollamaflow.core.FlowAdmin;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * OllamaFlow's {@code /v1.0} routes, plus sticky sessions and {@code POST /v1.0/frontends/{id}/sync}
 * (start a RequiredModels sync round now), mapped onto {@link FlowAdmin}:
 *
 * <pre>
 * GET, PUT                /v1.0/frontends            list, create (201)
 * GET                     /v1.0/frontends/queues     requests of each frontend waiting for a backend slot
 * GET, HEAD, PUT, DELETE  /v1.0/frontends/{id}       read, exists, replace, delete (204)
 * GET, PUT                /v1.0/backends             list, create (201)
 * GET                     /v1.0/backends/health      health of every backend
 * GET, HEAD, PUT, DELETE  /v1.0/backends/{id}        as for frontends
 * GET                     /v1.0/backends/{id}/health health of one backend
 * GET, PUT                /v1.0/apikeys              list (with usage), create (201, secret shown once)
 * GET, HEAD, PUT, DELETE  /v1.0/apikeys/{id}         read, exists, replace all but the secret, delete (204)
 * GET                     /v1.0/apikeys/{id}/usage   usage of one key
 * POST                    /v1.0/apikeys/{id}/rotate  a new secret, shown once; the old one stops working
 * GET, DELETE             /v1.0/sessions[?frontend=] sticky sessions: list, end (204)
 * </pre>
 *
 * Empty path segments are ignored, as OllamaFlow's router ignores them; {@code {id}} is
 * percent-decoded. As in OllamaFlow, {@code GET /v1.0/backends/health} wins over a backend whose
 * identifier is {@code health}, and {@code GET /v1.0/frontends/queues} over a frontend named {@code queues}.
 */
final class AdminRoutes {
  /** What a route answers: a status, a JSON body or none, and a note for the log. */
  record Reply(int status, JsonNode body, String note) {
    static Reply ok(JsonNode body) {
      return new Reply(200, body, null);
    }
  }

  /** The request as the routes need it; the body is read only by the routes that take one. */
  interface Request {
    String method();

    String rawPath();

    String rawQuery();

    byte[] body();
  }

  private final FlowAdmin admin;

  AdminRoutes(FlowAdmin admin) {
    this.admin = admin;
  }

  Reply serve(Request request) {
    List<String> segments = segments(request.rawPath());
    String method = request.method();
    if (segments.size() < 2) throw notFound(request);
    String collection = segments.get(1);
    switch (collection) {
      case "frontends":
        return serveFrontends(request, method, segments);
      case "backends":
        return serveBackends(request, method, segments);
      case "apikeys":
        return serveApiKeys(request, method, segments);
      case "sessions":
        if (segments.size() != 2) throw notFound(request);
        return serveSessions(request, method);
      default:
        throw notFound(request);
    }
  }

  private Reply serveFrontends(Request request, String method, List<String> segments) {
    if (segments.size() == 2) {
      switch (method) {
        case "GET": return Reply.ok(AdminJson.array(admin.frontends(), AdminJson::frontend));
        case "PUT": {
          Frontend created = admin.createFrontend(ConfigJson.frontend(body(request, "a frontend object")));
          return new Reply(201, AdminJson.frontend(created), "created frontend '" + created.identifier() + "'");
        }
        default: throw notAllowed(request, "GET, PUT");
      }
    }
    if (segments.size() == 3 && segments.get(2).equals("queues") && method.equals("GET")) {
      return Reply.ok(AdminJson.array(admin.frontends(), f -> AdminJson.queue(f, admin.queuedRequests(f.identifier()))));
    }
    if (segments.size() == 4 && segments.get(3).equals("sync")) {
      if (!method.equals("POST")) throw notAllowed(request, "POST");
      String id = decode(segments.get(2));
      admin.syncModels(id);
      return new Reply(202, null, "started a model sync round for frontend '" + id + "'");
    }
    if (segments.size() != 3) throw notFound(request);
    String id = decode(segments.get(2));
    switch (method) {
      case "GET": return Reply.ok(AdminJson.frontend(found(admin.frontend(id), "frontend", id)));
      case "HEAD": return new Reply(admin.frontend(id).isPresent() ? 200 : 404, null, null);
      case "PUT": {
        found(admin.frontend(id), "frontend", id);
        JsonNode json = withIdentifier(body(request, "a frontend object"), id);
        Frontend updated = admin.updateFrontend(ConfigJson.frontend(json));
        return new Reply(200, AdminJson.frontend(updated), "replaced frontend '" + id + "'");
      }
      case "DELETE":
        admin.deleteFrontend(id);
        return new Reply(204, null, "deleted frontend '" + id + "'");
      default: throw notAllowed(request, "GET, HEAD, PUT, DELETE");
    }
  }

  private Reply serveBackends(Request request, String method, List<String> segments) {
    if (segments.size() == 2) {
      switch (method) {
        case "GET": return Reply.ok(AdminJson.array(admin.backends(), AdminJson::backend));
        case "PUT": {
          Backend created = admin.createBackend(ConfigJson.backend(body(request, "a backend object")));
          return new Reply(201, AdminJson.backend(created), "created backend '" + created.identifier() + "'");
        }
        default: throw notAllowed(request, "GET, PUT");
      }
    }
    if (segments.size() == 3 && segments.get(2).equals("health") && method.equals("GET")) {
      return Reply.ok(AdminJson.array(admin.health(), AdminJson::health));
    }
    if (segments.size() == 4 && segments.get(3).equals("health")) {
      if (!method.equals("GET")) throw notAllowed(request, "GET");
      String id = decode(segments.get(2));
      return Reply.ok(AdminJson.health(found(admin.health(id), "backend", id)));
    }
    if (segments.size() != 3) throw notFound(request);
    String id = decode(segments.get(2));
    switch (method) {
      case "GET": return Reply.ok(AdminJson.backend(found(admin.backend(id), "backend", id)));
      case "HEAD": return new Reply(admin.backend(id).isPresent() ? 200 : 404, null, null);
      case "PUT": {
        found(admin.backend(id), "backend", id);
        JsonNode json = withIdentifier(body(request, "a backend object"), id);
        Backend updated = admin.updateBackend(ConfigJson.backend(json));
        return new Reply(200, AdminJson.backend(updated), "replaced backend '" + id + "'");
      }
      case "DELETE":
        admin.deleteBackend(id);
        return new Reply(204, null, "deleted backend '" + id + "'");
      default: throw notAllowed(request, "GET, HEAD, PUT, DELETE");
    }
  }

  private Reply serveApiKeys(Request request, String method, List<String> segments) {
    if (segments.size() == 2) {
      switch (method) {
        case "GET": return Reply.ok(AdminJson.apiKeys(admin.apiKeys(), admin.apiKeyUsage()));
        case "PUT": {
          FlowAdmin.IssuedApiKey created = admin.createApiKey(ConfigJson.apiKey(body(request, "an API key object")));
          String id = created.key().identifier();
          return new Reply(201, AdminJson.issued(created, admin.apiKeyUsage(id)), "created API key '" + id + "'");
        }
        default: throw notAllowed(request, "GET, PUT");
      }
    }
    if (segments.size() == 4) {
      String id = decode(segments.get(2));
      switch (segments.get(3)) {
        case "usage":
          if (!method.equals("GET")) throw notAllowed(request, "GET");
          return Reply.ok(AdminJson.usage(admin.apiKeyUsage(id)));
        case "rotate": {
          if (!method.equals("POST")) throw notAllowed(request, "POST");
          FlowAdmin.IssuedApiKey rotated = admin.rotateApiKey(id);
          return new Reply(200, AdminJson.issued(rotated, admin.apiKeyUsage(id)), "rotated the secret of API key '" + id + "'");
        }
        default: throw notFound(request);
      }
    }
    if (segments.size() != 3) throw notFound(request);
    String id = decode(segments.get(2));
    switch (method) {
      case "GET": return Reply.ok(AdminJson.apiKey(found(admin.apiKey(id), "API key", id), admin.apiKeyUsage(id)));
      case "HEAD": return new Reply(admin.apiKey(id).isPresent() ? 200 : 404, null, null);
      case "PUT": {
        ApiKey stored = found(admin.apiKey(id), "API key", id);
        JsonNode json = withIdentifier(body(request, "an API key object"), id);
        ApiKey replacement = ConfigJson.apiKey(json).storedSecret(stored.keyPrefix(), stored.keyHash()).build();
        ApiKey updated = admin.updateApiKey(replacement);
        return new Reply(200, AdminJson.apiKey(updated, admin.apiKeyUsage(id)), "replaced API key '" + id + "'");
      }
      case "DELETE":
        admin.deleteApiKey(id);
        return new Reply(204, null, "deleted API key '" + id + "'");
      default: throw notAllowed(request, "GET, HEAD, PUT, DELETE");
    }
  }

  private Reply serveSessions(Request request, String method) {
    String frontend = queryParameter(request.rawQuery(), "frontend");
    switch (method) {
      case "GET": {
        List<FlowAdmin.StickySession> sessions = admin.sessions();
        if (frontend != null) sessions = sessions.stream().filter(s -> s.frontendId().equals(frontend)).toList();
        return Reply.ok(AdminJson.array(sessions, AdminJson::session));
      }
      case "DELETE": {
        int ended = admin.clearSessions(frontend);
        return new Reply(204, null, "ended " + ended + " sticky sessions"
            + (frontend == null ? "" : " of frontend '" + frontend + "'"));
      }
      default: throw notAllowed(request, "GET, DELETE");
    }
  }

  private static JsonNode body(Request request, String what) {
    return AdminJson.parse(request.body(), what);
  }

  /** The object with its identifier taken from the URL, as OllamaFlow does on update: any in the body is ignored. */
  private static JsonNode withIdentifier(JsonNode json, String id) {
    if (!json.isObject()) return json; // ConfigJson names the problem
    ObjectNode copy = ((ObjectNode) json).deepCopy();
    for (Iterator<Map.Entry<String, JsonNode>> it = copy.properties().iterator(); it.hasNext(); ) {
      if (it.next().getKey().equalsIgnoreCase("Identifier")) it.remove();
    }
    ObjectNode result = copy.objectNode().put("Identifier", id);
    result.setAll(copy);
    return result;
  }

  private static <T> T found(Optional<T> value, String kind, String id) {
    return value.orElseThrow(() -> new FlowException(ErrorCode.NOT_FOUND, "no " + kind + " with identifier '" + id + "'"));
  }

  private static List<String> segments(String rawPath) {
    List<String> segments = new ArrayList<>();
    for (String segment : rawPath.split("/")) {
      if (!segment.isEmpty()) segments.add(segment);
    }
    return segments;
  }

  private static String decode(String segment) {
    try {
      // '+' is a plus in a path, not a space.
      return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new FlowException(ErrorCode.BAD_REQUEST, "identifier in the path is not valid percent-encoding: " + segment);
    }
  }

  /** The decoded value of a query parameter; null if absent or empty. */
  static String queryParameter(String rawQuery, String name) {
    if (rawQuery == null) return null;
    for (String pair : rawQuery.split("&")) {
      int eq = pair.indexOf('=');
      String key = eq < 0 ? pair : pair.substring(0, eq);
      if (!key.equals(name)) continue;
      String value = eq < 0 ? "" : decodeQuery(pair.substring(eq + 1), name);
      return value.isEmpty() ? null : value;
    }
    return null;
  }

  private static String decodeQuery(String value, String name) {
    try {
      return URLDecoder.decode(value, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new FlowException(ErrorCode.BAD_REQUEST, "query parameter " + name + " is not valid percent-encoding");
    }
  }

  private static FlowException notFound(Request request) {
    return new FlowException(ErrorCode.NOT_FOUND, "no admin route for " + request.method() + " " + request.rawPath());
  }

  private static FlowException notAllowed(Request request, String allowed) {
    return new MethodNotAllowed(request.method(), request.rawPath(), allowed);
  }

  /** A known admin path asked with a method it does not serve: 405 with {@code Allow}. */
  static final class MethodNotAllowed extends FlowException {
    private final String allowed;

    MethodNotAllowed(String method, String path, String allowed) {
      super(ErrorCode.METHOD_NOT_ALLOWED, "method " + method + " is not allowed on " + path
          + " (allowed: " + allowed + ")");
      this.allowed = allowed;
    }

    String allowed() {
      return allowed;
    }
  }
}
