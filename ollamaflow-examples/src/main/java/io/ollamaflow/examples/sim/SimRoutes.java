package io.ollamaflow.examples.sim;

import static io.ollamaflow.examples.sim.SimExchange.JSON;
import static io.ollamaflow.examples.sim.SimExchange.requireModelName;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/** The Ollama native API (/ and /api/...), as described in wire-api.md section 1. */
final class SimRoutes {
  // Fixed, plausible metrics; the load, eval and total durations follow the simulated timing.
  private static final long PROMPT_TOKEN_NANOS = 100_000;
  private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");
  private static final String BLOBS = "/api/blobs/";

  private final SimState sim;

  private SimRoutes(SimState sim) {
    this.sim = sim;
  }

  static void register(SimHandler handler, SimState sim) {
    SimRoutes r = new SimRoutes(sim);
    handler
        .route("GET HEAD", "/", x -> x.sendText(200, "text/plain; charset=utf-8", "Ollama is running"))
        .route("GET HEAD", "/api/version", r::version)
        .route("GET HEAD", "/api/tags", r::tags)
        .route("GET", "/api/ps", r::ps)
        .route("POST", "/api/show", r::show)
        .inferenceRoute("POST", "/api/generate", x -> r.complete(x, false))
        .inferenceRoute("POST", "/api/chat", x -> r.complete(x, true))
        .inferenceRoute("POST", "/api/embed", r::embed)
        .inferenceRoute("POST", "/api/embeddings", r::embeddings)
        .route("POST", "/api/pull", r::pull)
        .route("POST", "/api/push", r::push)
        .route("POST", "/api/create", r::create)
        .route("POST", "/api/copy", r::copy)
        .route("DELETE", "/api/delete", r::delete)
        .route("HEAD POST", BLOBS + "*", r::blob);
  }

  /** A boolean field, or the fallback when it is absent or null (Go's nullable bool). */
  static boolean flag(ObjectNode request, String field, boolean fallback) {
    JsonNode node = request.get(field);
    return node != null && node.isBoolean() ? node.booleanValue() : fallback;
  }

  /** How many tokens to generate: a non-negative limit from the request, else the default. */
  static int tokenCount(JsonNode limit, int fallback) {
    return limit.canConvertToInt() && limit.asInt() >= 0 ? limit.asInt() : fallback;
  }

  private void version(SimExchange x) throws IOException {
    x.sendJson(200, JSON.createObjectNode().put("version", sim.version));
  }

  private void tags(SimExchange x) throws IOException {
    ObjectNode reply = JSON.createObjectNode();
    ArrayNode models = reply.putArray("models");
    sim.catalog.installed().forEach(model ->
        summary(models, model).put("modified_at", model.modifiedAt().toString()));
    x.sendJson(200, reply);
  }

  private void ps(SimExchange x) throws IOException {
    ObjectNode reply = JSON.createObjectNode();
    ArrayNode models = reply.putArray("models");
    sim.residency.loaded().forEach(loaded -> summary(models, loaded.model())
        .put("expires_at", loaded.expiresAt().toString())
        .put("size_vram", loaded.model().size()));
    x.sendJson(200, reply);
  }

  /** The fields /api/tags and /api/ps entries share. */
  private static ObjectNode summary(ArrayNode models, ModelCatalog.Model model) {
    ObjectNode entry = models.addObject()
        .put("name", model.name())
        .put("model", model.name())
        .put("size", model.size())
        .put("digest", model.digest());
    entry.set("details", details(model));
    return entry;
  }

  private void show(SimExchange x) throws IOException {
    ModelCatalog.Model model = x.requireInstalled(requireModelName(x.json()));
    ObjectNode reply = JSON.createObjectNode()
        .put("modelfile", "# Modelfile of the OllamaFlow simulator\nFROM " + model.name() + "\n")
        .put("parameters", "temperature 0.7\nstop \"<|end|>\"")
        .put("template", "{{ .System }}\n{{ .Prompt }}");
    reply.set("details", details(model));
    reply.putObject("model_info")
        .put("general.architecture", model.family())
        .put(model.family() + ".context_length", 8192)
        .put(model.family() + ".embedding_length", Answers.EMBEDDING_DIMENSIONS);
    ArrayNode capabilities = reply.putArray("capabilities");
    if (model.embedding()) {
      capabilities.add("embedding");
    } else {
      capabilities.add("completion").add("tools");
    }
    x.sendJson(200, reply.put("modified_at", model.modifiedAt().toString()));
  }

  private static ObjectNode details(ModelCatalog.Model model) {
    ObjectNode details = JSON.createObjectNode()
        .put("parent_model", "")
        .put("format", "gguf")
        .put("family", model.family());
    details.putArray("families").add(model.family());
    return details.put("parameter_size", model.parameterSize()).put("quantization_level", "Q4_K_M");
  }

  /**
   * /api/generate and /api/chat: the same answer, framed as "response" or as "message". A chat
   * that offers tools and asks about the weather gets a tool call instead, whole in one message.
   */
  private void complete(SimExchange x, boolean chat) throws IOException {
    ObjectNode request = x.json();
    String model = requireModelName(request);
    ModelCatalog.Model installed = x.requireInstalled(model);
    if (chat ? request.path("messages").isEmpty() : request.path("prompt").asText("").isEmpty()) {
      loadOrUnload(x, request, installed, chat);
      return;
    }
    int count = tokenCount(request.path("options").path("num_predict"), sim.tokens);
    List<String> tokens = Answers.tokens(sim.id, count);
    Optional<Answers.ToolCall> call = chat ? Answers.toolCall(request) : Optional.empty();
    int promptTokens = chat
        ? Answers.countMessageTokens(request.path("messages"))
        : Answers.countTokens(request.path("prompt").asText(""));
    try (Lease lease = sim.admit(installed, request)) {
      if (!flag(request, "stream", true)) {
        sim.pauseTokens(count);
        lease.close();
        ObjectNode answer = chunk(model, chat, call.isPresent() ? "" : String.join("", tokens));
        call.ifPresent(c -> addToolCall(answer, c));
        x.sendJson(200, last(x, answer, chat, count, promptTokens, lease));
        return;
      }
      StreamWriter out = x.stream(StreamWriter.Framing.NDJSON);
      if (call.isPresent()) {
        ObjectNode line = chunk(model, true, "");
        addToolCall(line, call.get());
        out.send(line.put("done", false));
      } else {
        for (String token : tokens) {
          out.send(chunk(model, chat, token).put("done", false));
        }
      }
      out.send(last(x, chunk(model, chat, ""), chat, count, promptTokens, lease));
    }
  }

  /**
   * Nothing to answer: Ollama's load request, or with keep_alive 0 its unload request. Either way
   * one JSON answer, even when streaming was asked for.
   */
  private void loadOrUnload(SimExchange x, ObjectNode request, ModelCatalog.Model model, boolean chat)
      throws IOException {
    String reason;
    if (KeepAlive.of(request, sim.residency.defaultKeepAlive()).isZero()) {
      sim.residency.unloadWhenIdle(model);
      reason = "unload";
    } else {
      sim.admit(model, request).close();
      reason = "load";
    }
    ObjectNode answer = chunk(request.path("model").asText(), chat, "");
    x.sendJson(200, answer.put("done", true).put("done_reason", reason));
  }

  /** Ollama's tool calls carry an id and their arguments as an object. */
  private static void addToolCall(ObjectNode chunk, Answers.ToolCall call) {
    ObjectNode function = chunk.withObjectProperty("message").putArray("tool_calls").addObject()
        .put("id", "call_" + Answers.randomHex(8))
        .putObject("function").put("index", 0).put("name", call.name());
    function.set("arguments", call.arguments());
  }

  private static ObjectNode chunk(String model, boolean chat, String text) {
    ObjectNode chunk = JSON.createObjectNode()
        .put("model", model)
        .put("created_at", Instant.now().toString());
    if (chat) {
      chunk.putObject("message").put("role", "assistant").put("content", text);
    } else {
      chunk.put("response", text);
    }
    return chunk;
  }

  /**
   * The closing line, with Ollama's durations. The simulator knows exactly how long the request
   * waited for a slot, so everything else it spent after loading is reported as prompt evaluation
   * and generation: what total_duration has beyond load_duration, prompt_eval_duration and
   * eval_duration is that wait and nothing else, as a proxy reading the durations takes it. With
   * zero token delay there is almost no real work, and a pause of the simulator's own JVM (a GC,
   * CPU taken by other streams on the same cores) would otherwise read as a queue for a slot.
   */
  private ObjectNode last(SimExchange x, ObjectNode chunk, boolean chat, int count, int promptTokens, Lease lease) {
    chunk.put("done", true).put("done_reason", "stop");
    if (!chat) {
      ArrayNode context = chunk.putArray("context");
      for (int i = 1; i <= promptTokens + count; i++) {
        context.add(i);
      }
    }
    long total = x.elapsedNanos();
    long promptEval = promptTokens * PROMPT_TOKEN_NANOS;
    long eval = Math.max(1, Math.max(sim.tokenDelay.toNanos() * count,
        total - lease.loadNanos() - promptEval - lease.slotWaitNanos()));
    return chunk
        .put("total_duration", total)
        .put("load_duration", lease.loadNanos())
        .put("prompt_eval_count", promptTokens)
        .put("prompt_eval_duration", promptEval)
        .put("eval_count", count)
        .put("eval_duration", eval);
  }

  private void embed(SimExchange x) throws IOException {
    ObjectNode request = x.json();
    String model = requireModelName(request);
    ModelCatalog.Model installed = x.requireInstalled(model);
    List<String> inputs = embedInputs(request.get("input"));
    // Like Ollama, an empty input still loads the model (clients use it to preload).
    long loadNanos;
    try (Lease lease = sim.admit(installed, request)) {
      loadNanos = lease.loadNanos();
    }
    ObjectNode reply = JSON.createObjectNode().put("model", model);
    ArrayNode embeddings = reply.putArray("embeddings");
    int tokens = 0;
    for (String input : inputs) {
      vector(embeddings.addArray(), input);
      tokens += Answers.countTokens(input);
    }
    if (!inputs.isEmpty()) {
      reply.put("total_duration", x.elapsedNanos())
          .put("load_duration", loadNanos)
          .put("prompt_eval_count", tokens);
    }
    x.sendJson(200, reply);
  }

  private static List<String> embedInputs(JsonNode input) {
    List<String> inputs = new ArrayList<>();
    if (input == null || input.isNull() || input.isTextual()) {
      String text = input == null ? "" : input.asText("");
      return text.isEmpty() ? inputs : List.of(text);
    }
    if (!input.isArray()) {
      throw new SimError(400, "invalid input type");
    }
    for (JsonNode item : input) {
      if (!item.isTextual()) {
        throw new SimError(400, "invalid input type");
      }
      inputs.add(item.asText());
    }
    return inputs;
  }

  private void embeddings(SimExchange x) throws IOException {
    ObjectNode request = x.json();
    sim.admit(x.requireInstalled(requireModelName(request)), request).close();
    String prompt = request.path("prompt").asText("");
    ObjectNode reply = JSON.createObjectNode();
    ArrayNode embedding = reply.putArray("embedding");
    if (!prompt.isEmpty()) {
      vector(embedding, prompt);
    }
    x.sendJson(200, reply);
  }

  static void vector(ArrayNode target, String text) {
    for (float value : Answers.embedding(text)) {
      target.add(value);
    }
  }

  private void pull(SimExchange x) throws IOException {
    ObjectNode request = x.json();
    String model = requireModelName(request);
    List<ObjectNode> lines = new ArrayList<>();
    lines.add(status("pulling manifest"));
    addLayerProgress(lines, "pulling ", model);
    lines.add(status("verifying sha256 digest"));
    lines.add(status("writing manifest"));
    progress(x, request, lines, () -> sim.catalog.install(model, null, Instant.now()));
  }

  private void push(SimExchange x) throws IOException {
    ObjectNode request = x.json();
    String model = x.requireInstalled(requireModelName(request)).name();
    List<ObjectNode> lines = new ArrayList<>();
    lines.add(status("retrieving manifest"));
    lines.add(status("starting upload").put("digest", layerDigest(model, 0)).put("total", layerSize(0)));
    addLayerProgress(lines, "pushing ", model);
    lines.add(status("pushing manifest"));
    progress(x, request, lines, () -> { });
  }

  private void create(SimExchange x) throws IOException {
    ObjectNode request = x.json();
    String model = requireModelName(request);
    JsonNode fromNode = request.get("from");
    ModelCatalog.Model from = fromNode == null || fromNode.isNull()
        ? null
        : x.requireInstalled(fromNode.asText());
    List<ObjectNode> lines = new ArrayList<>();
    lines.add(status("reading model metadata"));
    // Blobs referenced by files/adapters must have been uploaded to this very server (affinity).
    for (String field : List.of("files", "adapters")) {
      for (JsonNode digest : request.path(field)) {
        if (!sim.catalog.hasBlob(digest.asText())) {
          throw new SimError(400, "blob \"" + digest.asText() + "\" not found");
        }
        lines.add(status("using existing layer " + digest.asText()));
      }
    }
    lines.add(status("writing manifest"));
    progress(x, request, lines, () -> sim.catalog.install(model, from, Instant.now()));
  }

  private static void addLayerProgress(List<ObjectNode> lines, String verb, String model) {
    for (int layer = 0; layer < 2; layer++) {
      String digest = layerDigest(model, layer);
      long total = layerSize(layer);
      for (int step = 1; step <= 3; step++) {
        lines.add(status(verb + digest.substring(7, 19))
            .put("digest", digest).put("total", total).put("completed", total * step / 3));
      }
    }
  }

  private static String layerDigest(String model, int layer) {
    return "sha256:" + Answers.sha256Hex(ModelCatalog.canonical(model) + "#" + layer);
  }

  private static long layerSize(int layer) {
    return layer == 0 ? 2_000_000_000L : 12_000L;
  }

  private static ObjectNode status(String status) {
    return JSON.createObjectNode().put("status", status);
  }

  /** Streams the progress lines, or with stream:false takes as long and answers only "success". */
  private void progress(SimExchange x, ObjectNode request, List<ObjectNode> lines, Runnable commit)
      throws IOException {
    if (!flag(request, "stream", true)) {
      sim.pauseTokens(lines.size());
      commit.run();
      x.sendJson(200, status("success"));
      return;
    }
    StreamWriter out = x.stream(StreamWriter.Framing.NDJSON);
    for (ObjectNode line : lines) {
      out.send(line);
    }
    commit.run();
    out.send(status("success"));
  }

  private void copy(SimExchange x) throws IOException {
    ObjectNode request = x.json();
    String source = request.path("source").asText("");
    String destination = request.path("destination").asText("");
    if (source.isEmpty() || destination.isEmpty()) {
      throw new SimError(400, "source and destination are required");
    }
    ModelCatalog.Model model = sim.catalog.find(source)
        .orElseThrow(() -> new SimError(404, "model \"" + source + "\" not found"));
    sim.catalog.install(destination, model, Instant.now());
    x.sendEmpty(200);
  }

  private void delete(SimExchange x) throws IOException {
    String model = requireModelName(x.json());
    if (!sim.catalog.remove(model)) {
      throw new SimError(404, "model '" + model + "' not found");
    }
    sim.residency.unload(model);
    x.sendEmpty(200);
  }

  private void blob(SimExchange x) throws IOException {
    String digest = x.decodedPath().substring(BLOBS.length());
    if (!DIGEST.matcher(digest).matches()) {
      throw new SimError(400, "invalid digest format");
    }
    if (x.method().equals("HEAD")) {
      if (!sim.catalog.hasBlob(digest)) {
        throw new SimError(404, "blob \"" + digest + "\" not found");
      }
      x.sendEmpty(200);
      return;
    }
    String actual = "sha256:" + x.bodySha256();
    if (!actual.equals(digest)) {
      throw new SimError(400, "digest mismatch, expected \"" + digest + "\", got \"" + actual + "\"");
    }
    x.sendEmpty(sim.catalog.addBlob(digest) ? 201 : 200);
  }
}
