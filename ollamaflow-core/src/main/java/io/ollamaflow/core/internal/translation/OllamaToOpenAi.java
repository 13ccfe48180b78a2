package io.ollamaflow.core.internal.translation;

import static io.ollamaflow.core.internal.translation.OllamaOptionsToOpenAi.given;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ollamaflow.api.ApiFormat;
import io.ollamaflow.api.ApiTranslator;
import io.ollamaflow.api.RequestKind;
import io.ollamaflow.api.StreamTranslator;
import io.ollamaflow.api.TranslatedRequest;
import io.ollamaflow.api.TranslationContext;
import io.ollamaflow.core.internal.json.Json;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Clients speaking the Ollama API, backends speaking the OpenAI API (vLLM, llama.cpp, OpenAI).
 *
 * <p>Requests:
 * <ul>
 *   <li>{@code /api/chat} goes to {@code /v1/chat/completions}. Images become content parts with
 *       {@code data:} URLs whose type is read from the image's first bytes (PNG, JPEG, WEBP, GIF;
 *       JPEG otherwise). Tool-call arguments become JSON strings, calls without an id get
 *       {@code call_<random>}, and each tool result gets the {@code tool_call_id} of the oldest
 *       unanswered call of its {@code tool_name} (its own id when the client sent one). Assistant
 *       {@code thinking} in the history is dropped.</li>
 *   <li>{@code /api/generate} goes to {@code /v1/chat/completions} as a system and a user message,
 *       because Ollama applies the chat template to the prompt; with {@code raw:true} or a
 *       {@code suffix} it goes to {@code /v1/completions}, where {@code system}, {@code images},
 *       {@code think} and {@code logprobs} are refused. {@code template} and {@code context} are
 *       refused.</li>
 *   <li>An empty prompt or message list only loads the model in Ollama (unloads with
 *       {@code keep_alive} 0): it becomes {@code GET /v1/models} and the answer Ollama gives,
 *       {@code done_reason} {@code load} or {@code unload}.</li>
 *   <li>{@code options}: {@code num_predict} > 0 is {@code max_tokens} (-1 and -2 mean no limit);
 *       {@code temperature}, {@code top_p}, {@code seed}, {@code stop}, {@code presence_penalty},
 *       {@code frequency_penalty}, {@code top_k}, {@code min_p} keep their names (the last two are
 *       extras vLLM and llama.cpp take); {@code repeat_penalty} is {@code repetition_penalty}.
 *       Load and resource options ({@code num_ctx}, {@code num_gpu}, {@code num_thread},
 *       {@code use_mmap}...) are dropped, as are {@code mirostat_eta} and {@code mirostat_tau}
 *       (inert without mirostat). {@code mirostat}, {@code tfs_z} and {@code typical_p} are
 *       accepted at their neutral value only; they and every other option (repeat_last_n,
 *       penalize_newline, unknown ones) are refused.</li>
 *   <li>{@code format} "json" is {@code response_format} {@code json_object}; a schema is
 *       {@code json_schema} named "response". {@code think} true/false is vLLM's
 *       {@code chat_template_kwargs.enable_thinking}; "low", "medium", "high" are
 *       {@code reasoning_effort}, "max" is "high". {@code tools}, {@code logprobs} and
 *       {@code top_logprobs} pass as they are.</li>
 *   <li>A streamed request asks for the usage chunk ({@code stream_options.include_usage}); a
 *       non-streamed one sends no {@code stream_options}, which vLLM rejects there.</li>
 *   <li>{@code keep_alive}, {@code truncate} and {@code shift} are dropped: they do not change the
 *       answer. Unknown top-level fields are ignored, as Ollama ignores them.</li>
 *   <li>{@code /api/embed} and the legacy {@code /api/embeddings} ({@code prompt}) go to
 *       {@code /v1/embeddings} with {@code encoding_format} "float" and {@code dimensions};
 *       their {@code options} only tune loading and are dropped.</li>
 *   <li>{@code /api/tags}, {@code /api/ps} and {@code /api/show} read {@code GET /v1/models}: every
 *       model listed is installed and loaded (forever), and names match by Ollama's rules
 *       ({@code llama3} finds {@code llama3:latest}, case aside). {@code /api/version} asks the
 *       same list (so a dead backend does not answer) and says {@link #EMULATED_OLLAMA_VERSION}.</li>
 * </ul>
 *
 * <p>Answers name the model sent to the backend and are stamped now in UTC.
 * {@code finish_reason} "length" is {@code done_reason} "length", anything else "stop" (Ollama
 * has no tool_calls reason). {@code total_duration} is the time since the proxy got the request;
 * {@code prompt_eval_count} and {@code eval_count} come from {@code usage}; metrics no OpenAI
 * server reports are omitted, which Ollama clients read as 0. Reasoning ({@code reasoning} or
 * {@code reasoning_content}) is {@code thinking}, present only when non-empty. Streams: see
 * {@link OpenAiStreamToOllama}. Embeddings are L2-normalised on {@code /api/embed}, as Ollama's
 * are, and returned as sent on the legacy route. Models: see {@link OpenAiModelsToOllama}.
 */
public final class OllamaToOpenAi implements ApiTranslator {
  private static final Set<RequestKind> SUPPORTED = EnumSet.of(RequestKind.CHAT, RequestKind.COMPLETION,
      RequestKind.EMBEDDINGS, RequestKind.LIST_MODELS, RequestKind.LIST_RUNNING, RequestKind.SHOW_MODEL,
      RequestKind.VERSION);
  /**
   * What {@code /api/version} says for an OpenAI-format backend: the Ollama release whose API
   * this translation reproduces and is tested against (the simulated Ollama's version), so a
   * client gating features on the version asks for none we cannot serve.
   */
  public static final String EMULATED_OLLAMA_VERSION = "0.12.6";
  private static final TranslatedRequest LIST_MODELS = new TranslatedRequest("GET", "/v1/models", null);
  /** keep_alive values meaning "unload now": 0 as a number, or a zero Go duration. */
  private static final Pattern ZERO_DURATION = Pattern.compile("0+(\\.0*)?(ns|us|µs|ms|s|m|h)?");

  @Override public ApiFormat from() { return ApiFormat.OLLAMA; }
  @Override public ApiFormat to() { return ApiFormat.OPENAI; }

  @Override
  public boolean supports(RequestKind kind) {
    return SUPPORTED.contains(kind);
  }

  @Override
  public TranslatedRequest translateRequest(TranslationContext context, ObjectNode clientBody) {
    switch (context.kind()) {
      case CHAT:
        return loadOnly(context) != null ? LIST_MODELS : chat(context, clientBody);
      case COMPLETION:
        return loadOnly(context) != null ? LIST_MODELS : generate(context, clientBody);
      case EMBEDDINGS:
        return embeddings(context, clientBody);
      default:
        return LIST_MODELS;
    }
  }

  @Override
  public ObjectNode translateResponse(TranslationContext context, ObjectNode backendBody) {
    switch (context.kind()) {
      case CHAT:
      case COMPLETION:
        String loadOnly = loadOnly(context);
        if (loadOnly == null) return completion(context, backendBody);
        OpenAiModelsToOllama.find(backendBody, context.model());
        return new OllamaAnswers(context).loadReply(loadOnly);
      case EMBEDDINGS:
        return legacyEmbeddings(context) ? OpenAiEmbeddingsToOllama.legacy(backendBody)
            : OpenAiEmbeddingsToOllama.embed(backendBody, context.model(), context.elapsedNanos());
      case SHOW_MODEL:
        return OpenAiModelsToOllama.show(backendBody, context.model());
      case LIST_RUNNING:
        return OpenAiModelsToOllama.ps(backendBody);
      case VERSION:
        return Json.MAPPER.createObjectNode().put("version", EMULATED_OLLAMA_VERSION);
      default:
        return OpenAiModelsToOllama.tags(backendBody);
    }
  }

  @Override
  public StreamTranslator newStreamTranslator(TranslationContext context) {
    String loadOnly = loadOnly(context);
    OllamaAnswers answers = new OllamaAnswers(context);
    return loadOnly == null ? new OpenAiStreamToOllama(answers) : new LoadReplyStream(answers.loadReply(loadOnly));
  }

  private static TranslatedRequest chat(TranslationContext context, ObjectNode client) {
    ObjectNode body = Json.MAPPER.createObjectNode().put("model", context.model());
    body.set("messages", OllamaMessagesToOpenAi.translate(client.get("messages")));
    JsonNode tools = client.get("tools");
    if (given(tools)) body.set("tools", tools);
    OllamaOptionsToOpenAi.apply(client, body, true, context.stream());
    return new TranslatedRequest("POST", "/v1/chat/completions", body);
  }

  private static TranslatedRequest generate(TranslationContext context, ObjectNode client) {
    for (String field : List.of("template", "context")) {
      if (given(client.get(field))) throw OllamaOptionsToOpenAi.refused(field, "");
    }
    String system = client.path("system").asText("");
    String suffix = client.path("suffix").asText("");
    ObjectNode body = Json.MAPPER.createObjectNode().put("model", context.model());
    if (client.path("raw").asBoolean(false) || !suffix.isEmpty()) {
      if (!system.isEmpty()) throw OllamaOptionsToOpenAi.refused("system", "with raw or suffix");
      if (given(client.get("images"))) throw OllamaOptionsToOpenAi.refused("images", "with raw or suffix");
      body.put("prompt", client.path("prompt").asText(""));
      if (!suffix.isEmpty()) body.put("suffix", suffix);
      OllamaOptionsToOpenAi.apply(client, body, false, context.stream());
      return new TranslatedRequest("POST", "/v1/completions", body);
    }
    ArrayNode messages = body.putArray("messages");
    if (!system.isEmpty()) messages.addObject().put("role", "system").put("content", system);
    messages.addObject().put("role", "user")
        .set("content", OllamaMessagesToOpenAi.content(client.path("prompt").asText(""), client.get("images"), "images"));
    OllamaOptionsToOpenAi.apply(client, body, true, context.stream());
    return new TranslatedRequest("POST", "/v1/chat/completions", body);
  }

  private static TranslatedRequest embeddings(TranslationContext context, ObjectNode client) {
    boolean legacy = legacyEmbeddings(context);
    ObjectNode body = Json.MAPPER.createObjectNode().put("model", context.model());
    body.set("input", client.get(legacy ? "prompt" : "input"));
    body.put("encoding_format", "float");
    if (!legacy && given(client.get("dimensions"))) body.set("dimensions", client.get("dimensions"));
    return new TranslatedRequest("POST", "/v1/embeddings", body);
  }

  private static ObjectNode completion(TranslationContext context, ObjectNode backendBody) {
    OllamaAnswers answers = new OllamaAnswers(context);
    JsonNode choice = backendBody.path("choices").path(0);
    JsonNode message = choice.path("message");
    ObjectNode answer = answers.line(OllamaAnswers.content(choice, message), OllamaAnswers.reasoning(message));
    JsonNode calls = message.path("tool_calls");
    if (context.kind() == RequestKind.CHAT && !calls.isEmpty()) {
      ArrayNode toolCalls = Json.MAPPER.createArrayNode();
      for (JsonNode call : calls) {
        toolCalls.add(OllamaAnswers.toolCall(call.path("id").asText(""), toolCalls.size(),
            call.path("function").path("name").asText(""), call.path("function").path("arguments").asText("")));
      }
      ((ObjectNode) answer.get("message")).set("tool_calls", toolCalls);
    }
    OllamaAnswers.withLogprobs(answer, choice);
    return answers.finish(answer, choice.path("finish_reason").asText(""), backendBody.get("usage"));
  }

  /**
   * "load" or "unload" when Ollama would only load or unload the model (empty prompt or messages)
   * instead of generating; null otherwise.
   */
  private static String loadOnly(TranslationContext context) {
    ObjectNode client = context.clientRequest();
    if (client == null) return null;
    if (given(client.get(context.kind() == RequestKind.CHAT ? "messages" : "prompt"))) return null;
    JsonNode keepAlive = client.path("keep_alive");
    boolean unload = keepAlive.isNumber() ? keepAlive.asDouble() == 0
        : keepAlive.isTextual() && ZERO_DURATION.matcher(keepAlive.textValue()).matches();
    return unload ? "unload" : "load";
  }

  private static boolean legacyEmbeddings(TranslationContext context) {
    return context.clientPath().startsWith("/api/embeddings");
  }

  /** The stream of a load-only request: the one load reply, whatever the backend sent. */
  private static final class LoadReplyStream implements StreamTranslator {
    private final ObjectNode reply;

    LoadReplyStream(ObjectNode reply) {
      this.reply = reply;
    }

    @Override public List<ObjectNode> onEvent(ObjectNode backendEvent) { return List.of(); }
    @Override public List<ObjectNode> onEnd() { return List.of(reply); }
  }
}
