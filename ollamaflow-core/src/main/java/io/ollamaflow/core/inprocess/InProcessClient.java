package io.ollamaflow.core.inprocess;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ollamaflow.api.ErrorCode;
import io.ollamaflow.api.FlowException;
import io.ollamaflow.core.internal.InProcessClients;
import io.ollamaflow.core.internal.Threads;
import io.ollamaflow.core.internal.proxy.ProxyEngine;
import io.ollamaflow.core.internal.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;

/**
 * Calls a cluster from Java code, in the Ollama dialect, through the same pipeline as HTTP
 * requests, with no HTTP in between: each call goes through everything an HTTP request goes
 * through (frontend match and admission, model-aware selection, balancer, health, capacity and
 * queueing, sticky sessions, labels, pinned properties, retries before the first byte) and
 * produces the same {@code FlowEventListener} events. Nothing is serialised to a socket; request
 * and response bodies are JSON bytes in memory.
 *
 * <p>Get one from {@link io.ollamaflow.core.FlowCluster#inProcess(String)}, or use the
 * cluster's shortcuts, which use its catch-all frontend.
 *
 * <p>Threading: safe for concurrent use. Each call blocks its caller until the status is known
 * (for streams) or the answer is complete, while the proxy runs on a worker thread (a virtual
 * thread where the JDK has them, else a pooled daemon thread).
 *
 * <p>Errors: a request the proxy refuses or fails throws the proxy's own {@link FlowException},
 * its {@link ErrorCode} as the proxy chose it (a model no backend holds is
 * {@link ErrorCode#MODEL_NOT_FOUND}, an inactive frontend {@link ErrorCode#FRONTEND_INACTIVE}...);
 * a backend's own error answer (passed through when the proxy cannot retry) keeps the backend's
 * message, with the code its status stands for ({@link ErrorCode#BACKEND_ERROR} for a 5xx).
 */
public final class InProcessClient {
  private static final ExecutorService WORKERS = Threads.perTask("ollamaflow-inprocess");

  private final ProxyEngine engine;
  private final String host;

  static {
    InProcessClients.register(InProcessClient::new);
  }

  /**
   * Made by {@code FlowCluster.inProcess} (through {@link InProcessClients}), which is how
   * applications get a client: one over the cluster's engine that presents {@code host} as its
   * {@code Host} header, which chooses the frontend; null for the catch-all frontend
   * ({@code Hostname "*"}).
   */
  private InProcessClient(ProxyEngine engine, String host) {
    this.engine = Objects.requireNonNull(engine, "engine");
    this.host = host;
  }

  /** The Host this client presents; null for the catch-all frontend. */
  public String host() {
    return host;
  }

  /** A whole chat answer ({@code stream: false}). */
  public ChatResponse chat(ChatRequest request) {
    InProcessCall exchange = post("/api/chat", request.toJson(false), request.headers());
    return new ChatResponse(wholeObject(exchange), backend(exchange), requestId(exchange));
  }

  /** A chat answer streamed as it is generated; close the stream when done. */
  public FlowStream<ChatResponse> chatStream(ChatRequest request) {
    InProcessCall exchange = post("/api/chat", request.toJson(true), request.headers());
    String backend = backend(exchange);
    String id = requestId(exchange);
    return new FlowStream<>(exchange, node -> new ChatResponse(node, backend, id));
  }

  /** A whole completion ({@code stream: false}). */
  public GenerateResponse generate(GenerateRequest request) {
    InProcessCall exchange = post("/api/generate", request.toJson(false), request.headers());
    return new GenerateResponse(wholeObject(exchange), backend(exchange), requestId(exchange));
  }

  /** A completion streamed as it is generated; close the stream when done. */
  public FlowStream<GenerateResponse> generateStream(GenerateRequest request) {
    InProcessCall exchange = post("/api/generate", request.toJson(true), request.headers());
    String backend = backend(exchange);
    String id = requestId(exchange);
    return new FlowStream<>(exchange, node -> new GenerateResponse(node, backend, id));
  }

  public EmbedResponse embed(EmbedRequest request) {
    InProcessCall exchange = post("/api/embed", request.toJson(), request.headers());
    return new EmbedResponse(wholeObject(exchange), backend(exchange), requestId(exchange));
  }

  /** The models of the frontend's healthy backends, each once ({@code /api/tags}). */
  public List<ModelInfo> models() {
    InProcessCall exchange = start("GET", "/api/tags", null, Map.of());
    List<ModelInfo> models = new ArrayList<>();
    for (JsonNode model : wholeObject(exchange).path("models")) {
      if (model instanceof ObjectNode) models.add(new ModelInfo((ObjectNode) model));
    }
    return Collections.unmodifiableList(models);
  }

  private InProcessCall post(String path, ObjectNode body, Map<String, String> headers) {
    byte[] bytes;
    try {
      bytes = Json.MAPPER.writeValueAsBytes(body);
    } catch (IOException e) {
      throw new FlowException(ErrorCode.BAD_REQUEST, "request not serialisable: " + e.getMessage(), e);
    }
    return start("POST", path, bytes, headers);
  }

  /** Hands the exchange to the handler on a worker and waits for the status; a status >= 400 throws. */
  private InProcessCall start(String method, String path, byte[] body, Map<String, String> headers) {
    InProcessCall exchange = new InProcessCall(method, path, body, host, headers);
    WORKERS.execute(() -> {
      Throwable failure = null;
      try {
        engine.serve(exchange);
      } catch (Throwable t) {
        failure = t;
      }
      exchange.finish(failure);
    });
    int status;
    try {
      status = exchange.awaitStatus();
    } catch (IOException e) {
      exchange.cancel();
      throw new FlowException(ErrorCode.INTERNAL, "the proxy failed before answering: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      exchange.cancel();
      Thread.currentThread().interrupt();
      throw new FlowException(ErrorCode.INTERNAL, "interrupted while waiting for the answer");
    }
    if (exchange.refusal() != null) throw exchange.refusal();
    if (status >= 400) throw backendError(status, exchange);
    return exchange;
  }

  private static ObjectNode wholeObject(InProcessCall exchange) {
    byte[] bytes = readAll(exchange);
    try {
      JsonNode node = Json.MAPPER.readTree(bytes);
      if (node instanceof ObjectNode) return (ObjectNode) node;
    } catch (IOException e) {
      // reported below
    }
    throw new FlowException(ErrorCode.BACKEND_ERROR, "backend '" + backend(exchange)
        + "' answered something other than a JSON object: " + snippet(bytes));
  }

  private static byte[] readAll(InProcessCall exchange) {
    try {
      return exchange.readAll();
    } catch (IOException e) {
      throw new FlowException(ErrorCode.BACKEND_ERROR, "the answer was cut short: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      exchange.cancel();
      Thread.currentThread().interrupt();
      throw new FlowException(ErrorCode.INTERNAL, "interrupted while reading the answer");
    }
  }

  /** A backend's own error answer, relayed by the proxy, as a FlowException with the code its status stands for. */
  private static FlowException backendError(int status, InProcessCall exchange) {
    byte[] bytes = readAll(exchange);
    String message;
    try {
      JsonNode error = Json.MAPPER.readTree(bytes).path("error");
      message = error.isTextual() ? error.textValue()
          : error.isObject() ? error.path("message").asText(error.toString()) : snippet(bytes);
    } catch (IOException e) {
      message = snippet(bytes);
    }
    if (message.isEmpty()) message = "status " + status;
    return new FlowException(code(status), message);
  }

  static ErrorCode code(int status) {
    switch (status) {
      case 401: return ErrorCode.UNAUTHORIZED;
      case 403: return ErrorCode.FORBIDDEN;
      case 404: return ErrorCode.MODEL_NOT_FOUND; // the in-process routes exist: a 404 is about the model
      case 405: return ErrorCode.METHOD_NOT_ALLOWED;
      case 409: return ErrorCode.CONFLICT;
      case 413: return ErrorCode.PAYLOAD_TOO_LARGE;
      case 429: return ErrorCode.BACKEND_BUSY;
      case 504: return ErrorCode.TIMEOUT;
      default: return status >= 500 ? ErrorCode.BACKEND_ERROR : ErrorCode.BAD_REQUEST;
    }
  }


  private static String backend(InProcessCall exchange) {
    return exchange.responseHeader("X-OllamaFlow-Backend");
  }

  private static String requestId(InProcessCall exchange) {
    return exchange.responseHeader("X-OllamaFlow-Request");
  }

  private static String snippet(byte[] bytes) {
    String text = new String(bytes, 0, Math.min(bytes.length, 200), StandardCharsets.UTF_8).trim();
    return text.isEmpty() ? "(empty body)" : text;
  }
}
