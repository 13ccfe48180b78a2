package io.ollamaflow.core.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;

/**
 * A small Ollama for scenario tests, served by a MockWebServer: it keeps installed models and
 * blobs, and answers the model-management routes (tags, ps, pull, delete, copy, blobs, create)
 * and the inference routes as Ollama does, naming itself in every inference answer.
 */
public final class FakeOllama extends Dispatcher {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String name;
  private final Set<String> installed = ConcurrentHashMap.newKeySet();
  private final Set<String> blobs = ConcurrentHashMap.newKeySet();
  private final java.util.Map<String, String> digests = new ConcurrentHashMap<>();
  /** Method and path of every request, in arrival order. */
  public final List<String> requests = new CopyOnWriteArrayList<>();
  public final AtomicInteger pulls = new AtomicInteger();
  /** Method, path and body of every request with a JSON body, in arrival order: {@code "POST /api/chat {...}"}. */
  public final List<String> bodies = new CopyOnWriteArrayList<>();
  /** While true, every request is answered 503, as by a server that is down. */
  public final AtomicBoolean down = new AtomicBoolean();

  public FakeOllama(String name, String... models) {
    this.name = name;
    for (String model : models) installed.add(canonical(model));
  }

  /** Lists {@code model} with this digest in /api/tags (default "d"). */
  public FakeOllama digest(String model, String digest) {
    digests.put(canonical(model), digest);
    return this;
  }

  public boolean has(String model) {
    return installed.contains(canonical(model));
  }

  public boolean hasBlob(String digest) {
    return blobs.contains(digest);
  }

  private static String canonical(String model) {
    String m = model.toLowerCase(Locale.ROOT);
    return m.contains(":") ? m : m + ":latest";
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    String path = request.getUrl().encodedPath();
    requests.add(request.getMethod() + " " + path);
    if (down.get()) return text(503, "down");
    try {
      JsonNode body = request.getBodySize() > 0 && !path.startsWith("/api/blobs/")
          ? JSON.readTree(request.getBody().utf8()) : JSON.createObjectNode();
      if (body.size() > 0) bodies.add(request.getMethod() + " " + path + " " + request.getBody().utf8());
      String model = body.path("model").asText(body.path("name").asText(""));
      switch (request.getMethod() + " " + (path.startsWith("/api/blobs/") ? "/api/blobs/" : path)) {
        case "GET /":
          return text(200, "Ollama is running");
        case "GET /api/tags":
          StringBuilder tags = new StringBuilder("{\"models\":[");
          for (String m : installed) tags.append(tags.charAt(tags.length() - 1) == '[' ? "" : ",")
              .append("{\"name\":\"").append(m).append("\",\"model\":\"").append(m).append("\",\"digest\":\"").append(digests.getOrDefault(m, "d")).append("\"}");
          return json(200, tags.append("]}").toString());
        case "GET /v1/models":
          StringBuilder data = new StringBuilder("{\"object\":\"list\",\"data\":[");
          for (String m : installed) data.append(data.charAt(data.length() - 1) == '[' ? "" : ",")
              .append("{\"id\":\"").append(m).append("\",\"object\":\"model\",\"owned_by\":\"library\"}");
          return json(200, data.append("]}").toString());
        case "GET /api/ps":
          return json(200, "{\"models\":[]}");
        case "POST /api/pull":
          pulls.incrementAndGet();
          installed.add(canonical(model));
          return new MockResponse.Builder().addHeader("Content-Type", "application/x-ndjson")
              .body("{\"status\":\"pulling manifest\"}\n{\"status\":\"pulling abc\",\"digest\":\"abc\",\"total\":100,\"completed\":100}\n"
                  + "{\"status\":\"success\"}\n").build();
        case "DELETE /api/delete":
          return installed.remove(canonical(model)) ? new MockResponse.Builder().code(200).build()
              : json(404, "{\"error\":\"model '" + model + "' not found\"}");
        case "POST /api/copy":
          if (!installed.contains(canonical(body.path("source").asText()))) {
            return json(404, "{\"error\":\"model '" + body.path("source").asText() + "' not found\"}");
          }
          installed.add(canonical(body.path("destination").asText()));
          return new MockResponse.Builder().code(200).build();
        case "HEAD /api/blobs/":
          return new MockResponse.Builder().code(blobs.contains(path.substring(11)) ? 200 : 404).build();
        case "POST /api/blobs/":
          blobs.add(path.substring(11));
          return new MockResponse.Builder().code(201).build();
        case "POST /api/create":
          for (JsonNode digest : body.path("files")) {
            if (!blobs.contains(digest.asText())) {
              return json(400, "{\"error\":\"blob \\\"" + digest.asText() + "\\\" not found\"}");
            }
          }
          installed.add(canonical(model));
          return json(200, "{\"status\":\"success\"}");
        case "POST /api/chat": case "POST /api/generate": case "POST /api/embed": case "POST /api/show":
        case "POST /v1/chat/completions": case "POST /v1/embeddings":
          return installed.contains(canonical(model)) ? json(200, "{\"backend\":\"" + name + "\"}")
              : json(404, "{\"error\":\"model '" + model + "' not found\"}");
        default:
          if (request.getMethod().equals("GET") && path.startsWith("/v1/models/")) {
            String id = java.net.URLDecoder.decode(path.substring(11), java.nio.charset.StandardCharsets.UTF_8);
            return installed.contains(canonical(id)) ? json(200, "{\"id\":\"" + id + "\",\"object\":\"model\"}")
                : json(404, "{\"error\":{\"message\":\"model '" + id + "' not found\"}}");
          }
          return text(404, "404 page not found");
      }
    } catch (Exception e) {
      return json(400, "{\"error\":\"" + e.getMessage() + "\"}");
    }
  }

  private static MockResponse json(int code, String body) {
    return new MockResponse.Builder().code(code).addHeader("Content-Type", "application/json; charset=utf-8").body(body).build();
  }

  private static MockResponse text(int code, String body) {
    return new MockResponse.Builder().code(code).addHeader("Content-Type", "text/plain").body(body).build();
  }
}
