package io.ollamaflow.examples.sim;

import static io.ollamaflow.examples.sim.SimExchange.JSON;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The OpenAI-compatible API Ollama serves under /v1, in the layout of Ollama 0.33 and later
 * (role only on the first chunk, a separate finish chunk), as in wire-api.md section 2.
 */
final class OpenAiRoutes {
  private static final String MODELS = "/v1/models/";

  private final SimState sim;

  private OpenAiRoutes(SimState sim) {
    this.sim = sim;
  }

  static void register(SimHandler handler, SimState sim) {
    OpenAiRoutes r = new OpenAiRoutes(sim);
    handler
        .inferenceRoute("POST", "/v1/chat/completions", x -> r.complete(x, true))
        .inferenceRoute("POST", "/v1/completions", x -> r.complete(x, false))
        .inferenceRoute("POST", "/v1/embeddings", r::embeddings)
        .route("GET", "/v1/models", r::listModels)
        .route("GET", MODELS + "*", r::retrieveModel);
  }

  private void complete(SimExchange x, boolean chat) throws IOException {
    ObjectNode request = x.json();
    String model = SimExchange.requireModelName(request);
    ModelCatalog.Model installed = x.requireInstalled(model);
    if (chat && request.path("messages").isEmpty()) {
      throw new SimError(400, "[] is too short - 'messages'");
    }
    int count = SimRoutes.tokenCount(request.path("max_tokens"), sim.tokens);
    List<String> tokens = Answers.tokens(sim.id, count);
    int promptTokens = chat
        ? Answers.countMessageTokens(request.path("messages"))
        : Answers.countTokens(request.path("prompt").asText(""));
    // Ollama's ids are small random numbers, not unique ones; one id and one "created" per answer.
    String id = (chat ? "chatcmpl-" : "cmpl-") + ThreadLocalRandom.current().nextInt(999);
    ObjectNode head = JSON.createObjectNode()
        .put("id", id)
        .put("object", chat ? "chat.completion" : "text_completion")
        .put("created", Instant.now().getEpochSecond())
        .put("model", model)
        .put("system_fingerprint", "fp_ollama");
    try (Lease lease = sim.admit(installed)) {
      if (!SimRoutes.flag(request, "stream", false)) {
        sim.pauseTokens(count);
        lease.close();
        x.sendJson(200, whole(head, chat, String.join("", tokens), usage(promptTokens, count)));
        return;
      }
      if (chat) {
        head.put("object", "chat.completion.chunk");
      }
      StreamWriter out = x.stream(StreamWriter.Framing.SSE);
      for (int i = 0; i < tokens.size(); i++) {
        out.send(chunk(head, chat, tokens.get(i), i == 0, null));
      }
      out.send(chunk(head, chat, null, tokens.isEmpty(), "stop"));
      if (request.path("stream_options").path("include_usage").asBoolean(false)) {
        ObjectNode usage = head.deepCopy();
        usage.putArray("choices");
        usage.set("usage", usage(promptTokens, count));
        out.send(usage);
      }
      out.sendDone();
    }
  }

  private static ObjectNode whole(ObjectNode head, boolean chat, String text, ObjectNode usage) {
    ObjectNode reply = head.deepCopy();
    ObjectNode choice = reply.putArray("choices").addObject().put("index", 0);
    if (chat) {
      choice.putObject("message").put("role", "assistant").put("content", text);
    } else {
      choice.put("text", text);
    }
    choice.put("finish_reason", "stop");
    reply.set("usage", usage);
    return reply;
  }

  /** One streamed chunk; the role rides on the first delta only, the finish chunk has no text. */
  private static ObjectNode chunk(ObjectNode head, boolean chat, String text, boolean first,
      String finish) {
    ObjectNode chunk = head.deepCopy();
    ObjectNode choice = chunk.putArray("choices").addObject().put("index", 0);
    if (chat) {
      ObjectNode delta = choice.putObject("delta");
      if (first) {
        delta.put("role", "assistant");
      }
      if (text != null) {
        delta.put("content", text);
      }
    } else {
      choice.put("text", text == null ? "" : text);
    }
    choice.put("finish_reason", finish);
    return chunk;
  }

  static ObjectNode usage(int promptTokens, int completionTokens) {
    return JSON.createObjectNode()
        .put("prompt_tokens", promptTokens)
        .put("completion_tokens", completionTokens)
        .put("total_tokens", promptTokens + completionTokens);
  }

  private void embeddings(SimExchange x) throws IOException {
    ObjectNode request = x.json();
    String model = SimExchange.requireModelName(request);
    ModelCatalog.Model installed = x.requireInstalled(model);
    ObjectNode reply = JSON.createObjectNode().put("object", "list");
    int tokens = addEmbeddings(reply, request);
    sim.admit(installed).close();
    reply.put("model", model);
    reply.putObject("usage").put("prompt_tokens", tokens).put("total_tokens", tokens);
    x.sendJson(200, reply);
  }

  /**
   * Adds the "data" array of an embeddings answer, as floats or base64 as the request asks;
   * returns the prompt tokens. Checks the request first, so nothing is added to a refused one.
   */
  static int addEmbeddings(ObjectNode reply, ObjectNode request) {
    String format = request.path("encoding_format").asText("float");
    if (!format.equals("float") && !format.equals("base64")) {
      throw new SimError(400, "Invalid value for 'encoding_format' = " + format
          + ". Supported values: ['float', 'base64'].");
    }
    List<String> inputs = inputs(request.get("input"));
    ArrayNode data = reply.putArray("data");
    int tokens = 0;
    for (int i = 0; i < inputs.size(); i++) {
      ObjectNode item = data.addObject().put("object", "embedding");
      if (format.equals("base64")) {
        item.put("embedding", base64(Answers.embedding(inputs.get(i))));
      } else {
        SimRoutes.vector(item.putArray("embedding"), inputs.get(i));
      }
      item.put("index", i);
      tokens += Answers.countTokens(inputs.get(i));
    }
    return tokens;
  }

  /** A string (even "") or a non-empty array of strings; token arrays are not supported. */
  private static List<String> inputs(JsonNode input) {
    if (input != null && input.isTextual()) {
      return List.of(input.asText());
    }
    if (input == null || !input.isArray() || input.isEmpty()) {
      throw new SimError(400, "invalid input");
    }
    List<String> inputs = new ArrayList<>();
    for (JsonNode item : input) {
      if (!item.isTextual()) {
        throw new SimError(400, "invalid input");
      }
      inputs.add(item.asText());
    }
    return inputs;
  }

  /** What openai-node asks for by default: the little-endian float32 bytes, base64-encoded. */
  private static String base64(float[] vector) {
    ByteBuffer bytes = ByteBuffer.allocate(vector.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    for (float value : vector) {
      bytes.putFloat(value);
    }
    return Base64.getEncoder().encodeToString(bytes.array());
  }

  private void listModels(SimExchange x) throws IOException {
    ObjectNode reply = JSON.createObjectNode().put("object", "list");
    ArrayNode data = reply.putArray("data");
    sim.catalog.installed().forEach(model -> data.add(describe(model.name(), model)));
    x.sendJson(200, reply);
  }

  private void retrieveModel(SimExchange x) throws IOException {
    // Matched on the decoded path so that ids like hf.co%2Fuser%2Frepo:tag are found.
    String id = x.decodedPath().substring(MODELS.length());
    x.sendJson(200, describe(id, x.requireInstalled(id)));
  }

  private static ObjectNode describe(String id, ModelCatalog.Model model) {
    String[] segments = model.name().split("/");
    String owner = segments.length >= 2 ? segments[segments.length - 2] : "library";
    return JSON.createObjectNode()
        .put("id", id)
        .put("object", "model")
        .put("created", model.modifiedAt().getEpochSecond())
        .put("owned_by", owner);
  }
}
