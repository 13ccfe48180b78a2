package io.ollamaflow.examples.sim;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;

/** One request being answered: its fully read body plus the ways to answer it. */
final class SimExchange {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final String JSON_TYPE = "application/json; charset=utf-8";
  // Requests log their text only below this size, so 10 MB uploads are not retained.
  private static final int TEXT_LIMIT = 64 * 1024;
  // Bigger bodies are hashed but not kept: only blob uploads get that big, and they need the digest.
  private static final int BUFFER_LIMIT = 32 * 1024 * 1024;

  private final HttpExchange http;
  private final SimState sim;
  private final byte[] body;
  private final long bodyLength;
  private final String bodySha256;
  private final long startNanos;
  private boolean started;

  private SimExchange(HttpExchange http, SimState sim, long startNanos, byte[] body, long length,
      String sha256) {
    this.http = http;
    this.startNanos = startNanos;
    this.sim = sim;
    this.body = body;
    this.bodyLength = length;
    this.bodySha256 = sha256;
  }

  static SimExchange read(HttpExchange http, SimState sim) throws IOException {
    long start = System.nanoTime();
    MessageDigest digest = Answers.newSha256();
    ByteArrayOutputStream kept = new ByteArrayOutputStream();
    long length = 0;
    byte[] buffer = new byte[64 * 1024];
    try (InputStream in = http.getRequestBody()) {
      for (int n; (n = in.read(buffer)) > 0; length += n) {
        digest.update(buffer, 0, n);
        if (length + n <= BUFFER_LIMIT) {
          kept.write(buffer, 0, n);
        }
      }
    }
    byte[] body = length <= BUFFER_LIMIT ? kept.toByteArray() : null;
    return new SimExchange(http, sim, start, body, length, HexFormat.of().formatHex(digest.digest()));
  }

  SimulatedOllama.Request toRequest() {
    String text = bodyLength < TEXT_LIMIT ? new String(body, StandardCharsets.UTF_8) : null;
    return new SimulatedOllama.Request(method(), path(), http.getRequestURI().getRawQuery(),
        http.getRequestHeaders(), bodyLength, bodySha256, text);
  }

  String method() {
    return http.getRequestMethod();
  }

  /** The path as sent, percent-escapes kept. */
  String path() {
    return http.getRequestURI().getRawPath();
  }

  String decodedPath() {
    return http.getRequestURI().getPath();
  }

  /** Routes under /v1 speak OpenAI, whose error bodies have another shape; vLLM and llama.cpp speak it everywhere. */
  boolean openAi() {
    return path().startsWith("/v1/") || !sim.flavor.ollama();
  }

  boolean started() {
    return started;
  }

  long elapsedNanos() {
    return Math.max(1, System.nanoTime() - startNanos);
  }

  String bodySha256() {
    return bodySha256;
  }

  ObjectNode json() {
    if (body == null) {
      throw new SimError(413, "request body too large");
    }
    JsonNode node;
    try {
      node = body.length == 0 ? null : JSON.readTree(body);
    } catch (JsonProcessingException e) {
      throw new SimError(400, e.getOriginalMessage());
    } catch (IOException e) {
      throw new SimError(400, e.getMessage());
    }
    if (node == null || node.isMissingNode()) {
      throw new SimError(400, "missing request body");
    }
    if (!node.isObject()) {
      throw new SimError(400, "request body must be a JSON object, not " + node.getNodeType());
    }
    return (ObjectNode) node;
  }

  /** The model a request names; management calls of older clients use the legacy "name". */
  static String requireModelName(ObjectNode request) {
    String model = request.path("model").asText("");
    if (model.isEmpty()) {
      model = request.path("name").asText("");
    }
    if (model.isEmpty()) {
      throw new SimError(400, "model is required");
    }
    return model;
  }

  ModelCatalog.Model requireInstalled(String name) {
    return sim.catalog.find(name).orElseThrow(() -> sim.flavor == SimulatedOllama.Flavor.VLLM
        ? new SimError(404, "The model `" + name + "` does not exist.", "model")
        : new SimError(404, "model '" + name + "' not found"));
  }

  void sendJson(int status, JsonNode json) throws IOException {
    send(status, JSON_TYPE, JSON.writeValueAsBytes(json));
  }

  void sendText(int status, String contentType, String text) throws IOException {
    send(status, contentType, text.getBytes(StandardCharsets.UTF_8));
  }

  void sendEmpty(int status) throws IOException {
    send(status, null, new byte[0]);
  }

  void sendError(int status, String message) throws IOException {
    sendError(new SimError(status, message));
  }

  /**
   * An error in the route's dialect: Ollama's {"error":"..."}, the OpenAI error object of Ollama's
   * /v1 layer, vLLM's, whose type names an exception and whose code is the status, or llama.cpp's,
   * with the status as code.
   */
  void sendError(SimError e) throws IOException {
    ObjectNode error = JSON.createObjectNode();
    if (!openAi()) {
      sendJson(e.status(), error.put("error", e.getMessage()));
      return;
    }
    ObjectNode body = error.putObject("error").put("message", e.getMessage());
    if (sim.flavor == SimulatedOllama.Flavor.VLLM) {
      body.put("type", vllmErrorType(e.status())).put("param", e.param()).put("code", e.status());
    } else if (sim.flavor == SimulatedOllama.Flavor.LLAMA_CPP) {
      body.put("type", ollamaErrorType(e.status())).put("code", e.status());
    } else {
      body.put("type", ollamaErrorType(e.status())).put("param", e.param()).putNull("code");
    }
    sendJson(e.status(), error);
  }

  private static String ollamaErrorType(int status) {
    return switch (status) {
      case 400 -> "invalid_request_error";
      case 404 -> "not_found_error";
      default -> "api_error";
    };
  }

  private static String vllmErrorType(int status) {
    return switch (status) {
      case 404 -> "NotFoundError";
      case 503 -> "ServiceUnavailableError";
      default -> status < 500 ? "BadRequestError" : "InternalServerError";
    };
  }

  /**
   * No route for the path (404) or the method (405): gin's plain text, FastAPI's JSON for vLLM,
   * an OpenAI error object for llama.cpp.
   */
  void sendNoRoute(int status) throws IOException {
    boolean notFound = status == 404;
    if (sim.flavor == SimulatedOllama.Flavor.VLLM) {
      sendJson(status, JSON.createObjectNode().put("detail", notFound ? "Not Found" : "Method Not Allowed"));
    } else if (sim.flavor == SimulatedOllama.Flavor.LLAMA_CPP) {
      sendError(new SimError(status, notFound ? "File Not Found" : "Method Not Allowed"));
    } else {
      sendText(status, "text/plain", notFound ? "404 page not found" : "405 method not allowed");
    }
  }

  /** Starts a chunked 200 response; each line is flushed as it is written. */
  StreamWriter stream(StreamWriter.Framing framing) throws IOException {
    started = true;
    http.getResponseHeaders().set("Content-Type", framing.contentType());
    http.sendResponseHeaders(200, 0);
    return new StreamWriter(http.getResponseBody(), framing, sim);
  }

  private void send(int status, String contentType, byte[] bytes) throws IOException {
    started = true;
    if (contentType != null) {
      http.getResponseHeaders().set("Content-Type", contentType);
    }
    boolean noBody = bytes.length == 0 || "HEAD".equals(method());
    http.sendResponseHeaders(status, noBody ? -1 : bytes.length);
    if (!noBody) {
      try (OutputStream out = http.getResponseBody()) {
        out.write(bytes);
      }
    }
  }
}
