package io.ollamaflow.examples.sim;

import static io.ollamaflow.examples.sim.SimExchange.JSON;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * vLLM's OpenAI-compatible server (wire-api.md sections 2.2 to 2.6): its answer and stream layout,
 * incremental tool-call arguments, its error shape, and its scheduler gauges on /metrics. vLLM has
 * no cold loads and no /api routes.
 */
final class VllmRoutes {
  /** What /v1/models reports as every model's context length. */
  static final int MAX_MODEL_LEN = 8192;
  // vLLM streams tool-call arguments a few characters per token.
  private static final int ARGUMENT_FRAGMENT = 4;

  private final SimState sim;

  private VllmRoutes(SimState sim) {
    this.sim = sim;
  }

  static void register(SimHandler handler, SimState sim) {
    VllmRoutes r = new VllmRoutes(sim);
    handler
        .route("GET", "/health", x -> x.sendEmpty(200))
        .route("GET", "/metrics", r::metrics)
        .inferenceRoute("POST", "/v1/chat/completions", x -> r.complete(x, true))
        .inferenceRoute("POST", "/v1/completions", x -> r.complete(x, false))
        .inferenceRoute("POST", "/v1/embeddings", r::embeddings)
        .route("GET", "/v1/models", r::listModels);
  }

  private void complete(SimExchange x, boolean chat) throws IOException {
    ObjectNode request = x.json();
    boolean stream = SimRoutes.flag(request, "stream", false);
    JsonNode streamOptions = request.path("stream_options");
    if (!stream && streamOptions.isObject()) {
      throw new SimError(400, "Stream options can only be defined when `stream=True`.");
    }
    ModelCatalog.Model served = model(x, request);
    String model = served.name();
    if (chat && request.path("messages").isEmpty()) {
      throw new SimError(400, "Field required: messages", "messages");
    }
    JsonNode limit = request.has("max_completion_tokens")
        ? request.get("max_completion_tokens")
        : request.path("max_tokens");
    int count = SimRoutes.tokenCount(limit, sim.tokens);
    List<String> tokens = Answers.tokens(sim.id, count);
    Optional<Answers.ToolCall> call = chat ? Answers.toolCall(request) : Optional.empty();
    int promptTokens = chat
        ? Answers.countMessageTokens(request.path("messages"))
        : Answers.countTokens(request.path("prompt").asText(""));
    ObjectNode head = JSON.createObjectNode()
        .put("id", (chat ? "chatcmpl-" : "cmpl-") + Answers.randomHex(32))
        .put("object", chat ? "chat.completion" : "text_completion")
        .put("created", Instant.now().getEpochSecond())
        .put("model", model);
    ObjectNode usage = OpenAiRoutes.usage(promptTokens, count).putNull("prompt_tokens_details");
    String finish = call.isPresent() ? "tool_calls" : "stop";
    try (Lease lease = sim.admit(served)) {
      if (!stream) {
        sim.pauseTokens(count);
        lease.close();
        ObjectNode reply = head.deepCopy();
        ObjectNode choice = reply.putArray("choices").addObject().put("index", 0);
        if (chat) {
          choice.set("message", message(String.join("", tokens), call));
        } else {
          choice.put("text", String.join("", tokens));
        }
        finish(choice.putNull("logprobs"), finish);
        reply.putNull("prompt_logprobs").putNull("kv_transfer_params").set("usage", usage);
        x.sendJson(200, reply);
        return;
      }
      if (chat) {
        head.put("object", "chat.completion.chunk");
      }
      List<ObjectNode> pieces = chat ? chatPieces(tokens, call) : textPieces(tokens);
      StreamWriter out = x.stream(StreamWriter.Framing.SSE);
      for (int i = 0; i < pieces.size(); i++) {
        out.send(chunk(head, pieces.get(i), i == pieces.size() - 1 ? finish : null));
      }
      // Unlike OpenAI, vLLM's include_usage defaults to true once stream_options is present.
      if (streamOptions.isObject() && streamOptions.path("include_usage").asBoolean(true)) {
        ObjectNode last = head.deepCopy();
        last.putArray("choices");
        out.send(last.set("usage", usage));
      }
      out.sendDone();
    }
  }

  /** vLLM takes a request without a model as one for the (first) served model. */
  private ModelCatalog.Model model(SimExchange x, ObjectNode request) {
    String model = request.path("model").asText("");
    if (model.isEmpty()) {
      return sim.catalog.installed().stream().findFirst()
          .orElseThrow(() -> new SimError(404, "The model `` does not exist.", "model"));
    }
    return x.requireInstalled(model);
  }

  private static ObjectNode message(String text, Optional<Answers.ToolCall> call) {
    ObjectNode message = JSON.createObjectNode().put("role", "assistant");
    message.put("content", call.isPresent() ? null : text).putNull("refusal");
    ArrayNode toolCalls = message.putArray("tool_calls");
    call.ifPresent(c -> toolCalls.addObject()
        .put("id", toolCallId())
        .put("type", "function")
        .putObject("function").put("name", c.name()).put("arguments", arguments(c)));
    return message.putNull("reasoning");
  }

  /**
   * The deltas of a chat stream: the role with empty content first, then one per token, or for a
   * tool call its head (id, type, name, empty arguments) and then the arguments in fragments.
   */
  private static List<ObjectNode> chatPieces(List<String> tokens, Optional<Answers.ToolCall> call) {
    List<ObjectNode> deltas = new ArrayList<>();
    deltas.add(JSON.createObjectNode().put("role", "assistant").put("content", ""));
    if (call.isEmpty()) {
      tokens.forEach(token -> deltas.add(JSON.createObjectNode().put("content", token)));
    } else {
      ObjectNode head = JSON.createObjectNode();
      head.putArray("tool_calls").addObject()
          .put("id", toolCallId())
          .put("type", "function")
          .put("index", 0)
          .putObject("function").put("name", call.get().name()).put("arguments", "");
      deltas.add(head);
      String arguments = arguments(call.get());
      for (int i = 0; i < arguments.length(); i += ARGUMENT_FRAGMENT) {
        ObjectNode fragment = JSON.createObjectNode();
        fragment.putArray("tool_calls").addObject().put("index", 0).putObject("function")
            .put("arguments", arguments.substring(i, Math.min(arguments.length(), i + ARGUMENT_FRAGMENT)));
        deltas.add(fragment);
      }
    }
    List<ObjectNode> pieces = new ArrayList<>();
    deltas.forEach(delta -> pieces.add(JSON.createObjectNode().set("delta", delta)));
    return pieces;
  }

  /** The texts of a completion stream, one per token; there is no role chunk. */
  private static List<ObjectNode> textPieces(List<String> tokens) {
    List<ObjectNode> pieces = new ArrayList<>();
    tokens.forEach(token -> pieces.add(JSON.createObjectNode().put("text", token)));
    if (pieces.isEmpty()) {
      pieces.add(JSON.createObjectNode().put("text", ""));
    }
    return pieces;
  }

  /** One chunk; the last piece rides on the chunk that carries the finish reason. */
  private static ObjectNode chunk(ObjectNode head, ObjectNode piece, String finish) {
    ObjectNode chunk = head.deepCopy();
    ObjectNode choice = chunk.putArray("choices").addObject().put("index", 0);
    choice.setAll(piece);
    finish(choice.putNull("logprobs"), finish);
    return chunk;
  }

  /** vLLM adds stop_reason (the matched stop string or token, null here) once a choice finishes. */
  private static void finish(ObjectNode choice, String finish) {
    choice.put("finish_reason", finish);
    if (finish != null) {
      choice.putNull("stop_reason");
    }
  }

  private static String toolCallId() {
    return "chatcmpl-tool-" + Answers.randomHex(32);
  }

  private static String arguments(Answers.ToolCall call) {
    return call.arguments().toString();
  }

  private void embeddings(SimExchange x) throws IOException {
    ObjectNode request = x.json();
    ObjectNode reply = JSON.createObjectNode()
        .put("id", "embd-" + Answers.randomHex(32))
        .put("object", "list")
        .put("created", Instant.now().getEpochSecond())
        .put("model", model(x, request).name());
    int tokens = OpenAiRoutes.addEmbeddings(reply, request);
    reply.set("usage", OpenAiRoutes.usage(tokens, 0).putNull("prompt_tokens_details"));
    x.sendJson(200, reply);
  }

  /**
   * The engine's scheduler state in Prometheus' text format, as vLLM's /metrics prints it: gauges
   * labelled with the engine and the (first) served model name. KV-cache usage is simulated as the
   * share of running slots in use, each running request holding an equal part of the cache.
   */
  private void metrics(SimExchange x) throws IOException {
    String model = sim.catalog.installed().stream().findFirst().map(ModelCatalog.Model::name).orElse("");
    Slots engine = sim.engine().orElseThrow();
    double cacheUsage = engine.busy() / (double) engine.size();
    String labels = "{engine=\"0\",model_name=\"" + PrometheusText.escape(model) + "\"}";
    PrometheusText text = new PrometheusText()
        .gauge("vllm:num_requests_running", "Requests in the running batch.", labels, sim.occupancy.running())
        .gauge("vllm:num_requests_waiting", "Requests queued for the running batch.", labels, sim.occupancy.waiting())
        .gauge("vllm:kv_cache_usage_perc", "Fraction of KV-cache blocks in use (1 = full).", labels, cacheUsage)
        .gauge("vllm:gpu_cache_usage_perc", "Fraction of GPU KV-cache blocks in use (1 = full); older name.", labels,
            cacheUsage);
    x.sendText(200, PrometheusText.CONTENT_TYPE, text.toString());
  }

  private void listModels(SimExchange x) throws IOException {
    ObjectNode reply = JSON.createObjectNode().put("object", "list");
    ArrayNode data = reply.putArray("data");
    for (ModelCatalog.Model model : sim.catalog.installed()) {
      long created = model.modifiedAt().getEpochSecond();
      ObjectNode card = data.addObject()
          .put("id", model.name())
          .put("object", "model")
          .put("created", created)
          .put("owned_by", "vllm")
          .put("root", model.name())
          .putNull("parent")
          .put("max_model_len", MAX_MODEL_LEN);
      card.putArray("permission").addObject()
          .put("id", "modelperm-" + Answers.randomHex(32))
          .put("object", "model_permission")
          .put("created", created)
          .put("allow_create_engine", false)
          .put("allow_sampling", true)
          .put("allow_logprobs", true)
          .put("allow_search_indices", false)
          .put("allow_view", true)
          .put("allow_fine_tuning", false)
          .put("organization", "*")
          .putNull("group")
          .put("is_blocking", false);
    }
    x.sendJson(200, reply);
  }
}
