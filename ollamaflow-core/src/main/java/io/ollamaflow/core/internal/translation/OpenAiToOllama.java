package io.ollamaflow.core.internal.translation;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ollamaflow.api.ApiFormat;
import io.ollamaflow.api.ApiTranslator;
import io.ollamaflow.api.ErrorCode;
import io.ollamaflow.api.FlowException;
import io.ollamaflow.api.RequestKind;
import io.ollamaflow.api.StreamTranslator;
import io.ollamaflow.api.TranslatedRequest;
import io.ollamaflow.api.TranslationContext;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Clients speaking the OpenAI API ({@code /v1/*}), backends speaking Ollama's native API
 * ({@code /api/*}). A field that would change the answer and has no Ollama equivalent is refused
 * (400 naming it), never dropped. Fields an Ollama backend has no use for pass while their value
 * cannot change the answer (see {@link OpenAiUnusedFields}: {@code "best_of": 1},
 * {@code "use_beam_search": false}, {@code "logit_bias": {}}...); fields no list here names are
 * vendor extensions, dropped as Ollama's {@code /v1} drops them and named in the
 * {@code X-OllamaFlow-Dropped-Fields} answer header.
 *
 * <p>Requests:
 * <ul>
 *   <li>{@code /v1/chat/completions} → {@code POST /api/chat}. Content parts: {@code text} parts
 *       joined with {@code \n}; {@code image_url} data URIs (and {@code input_audio} data, as
 *       Ollama takes it) go bare into the message's {@code images}; http(s) image URLs are refused,
 *       since the proxy fetches nothing for a client. Role {@code developer} becomes {@code system}.
 *       Assistant {@code tool_calls} keep their id and get their arguments parsed from the JSON
 *       string (invalid JSON is refused); tool results keep {@code tool_call_id} and get
 *       {@code tool_name} from {@code name} or from the earlier call with that id;
 *       {@code reasoning}/{@code reasoning_content} become {@code thinking}; null content is
 *       allowed only beside tool calls. A message's participant {@code name} and answer-only
 *       fields replayed by clients ({@code refusal}, {@code annotations}) are ignored.</li>
 *   <li>Sampling (chat and completions): {@code max_completion_tokens} ?? {@code max_tokens} →
 *       {@code options.num_predict}; {@code temperature}, {@code top_p}, {@code seed},
 *       {@code frequency_penalty}, {@code presence_penalty} and vLLM's {@code top_k},
 *       {@code min_p} → options of that name, {@code repetition_penalty} →
 *       {@code repeat_penalty}; {@code stop} → {@code options.stop} (always a list). Only fields
 *       the client sent are set: an absent temperature or top_p keeps the model's Modelfile
 *       default, where Ollama's own {@code /v1} layer forces 1.0. {@code n} other than 1 and a
 *       non-empty {@code logit_bias} are refused.</li>
 *   <li>{@code response_format} (chat and completions): {@code json_object} → {@code format:"json"},
 *       {@code json_schema} → {@code format} = the schema ({@code strict} is implied), {@code text}
 *       → nothing; vLLM's {@code guided_json} (a schema, object or JSON text) → {@code format}.
 *       vLLM's {@code chat_template_kwargs.enable_thinking} → {@code think} when no
 *       {@code reasoning_effort} is given. {@code tools} pass as they are; {@code tool_choice} {@code auto} keeps them,
 *       {@code none} drops them, {@code required} or a named function is refused (Ollama cannot
 *       force a call). {@code reasoning_effort} (or {@code reasoning.effort}) → {@code think}:
 *       none → false, minimal → low, low/medium/high as they are, xhigh (and Ollama's max) → max.
 *       {@code logprobs} and {@code top_logprobs} pass. {@code stream} is always sent, since
 *       Ollama streams by default. Ignored because they do not change the answer: {@code user},
 *       {@code store}, {@code metadata}, {@code service_tier}, {@code prediction} (a latency hint),
 *       {@code prompt_cache_key}, {@code safety_identifier}, {@code stream_options} (read for the
 *       answer); also {@code parallel_tool_calls}, which Ollama cannot enforce.</li>
 *   <li>{@code /v1/completions} → {@code POST /api/generate}: {@code prompt} a string or an array
 *       of one string (token arrays and batches refused), {@code suffix}, sampling as above.
 *       {@code echo} true, {@code best_of} other than 1 and {@code logprobs} are refused.</li>
 *   <li>{@code /v1/embeddings} → {@code POST /api/embed}: {@code input} (string or strings; token
 *       arrays refused), {@code dimensions}. {@code encoding_format} is float or base64.</li>
 *   <li>{@code /v1/models} → {@code GET /api/tags}; {@code /v1/models/<id>} →
 *       {@code POST /api/show {"model": id}}.</li>
 * </ul>
 *
 * <p>Answers carry a random, unique {@code chatcmpl-}/{@code cmpl-} id, {@code created} from
 * Ollama's {@code created_at} (else now), the model named to the backend, and
 * {@code system_fingerprint:"fp_ollama"} as Ollama's own layer says. {@code finish_reason}:
 * {@code length} stays, anything else is {@code stop}, or {@code tool_calls} when the answer
 * called tools. A pure tool call has {@code content: null}, as at OpenAI. Thinking goes to
 * {@code reasoning} (a text completion has no place for it). {@code usage} comes from
 * {@code prompt_eval_count} and {@code eval_count}. Choices always carry {@code logprobs}, null
 * unless Ollama returned some (wrapped as {@code {"content": [...]}}).
 *
 * <p>Streams: one chunk per backend line, when it arrives, all with one id and one
 * {@code created}; the first delta carries {@code role}; a line with thinking and content becomes
 * a {@code reasoning} chunk then a {@code content} chunk; Ollama's whole tool calls become one
 * delta with a running {@code index}. {@code done:true} gives a finish chunk ({@code delta:{}}),
 * preceded by a role chunk when nothing was streamed (load-only replies), then a usage chunk
 * ({@code choices: []}) if {@code stream_options.include_usage}. A stream without its
 * {@code done:true} line ends in an error.
 *
 * <p>Embeddings: floats, or with {@code encoding_format:"base64"} (openai-node's default)
 * standard base64 of little-endian float32. Models: {@code id} = the tags' model,
 * {@code created} = {@code modified_at} (0 when unknown), {@code owned_by} = the name's namespace
 * or {@code library}; {@code data} is {@code []} when there are none.
 *
 * <p>Threading: stateless; safe from any thread.
 */
public final class OpenAiToOllama implements ApiTranslator {
  private static final Set<RequestKind> KINDS = EnumSet.of(
      RequestKind.CHAT, RequestKind.COMPLETION, RequestKind.EMBEDDINGS, RequestKind.LIST_MODELS, RequestKind.SHOW_MODEL);

  @Override public ApiFormat from() { return ApiFormat.OPENAI; }
  @Override public ApiFormat to() { return ApiFormat.OLLAMA; }

  @Override
  public boolean supports(RequestKind kind) {
    return KINDS.contains(kind);
  }

  @Override
  public TranslatedRequest translateRequest(TranslationContext context, ObjectNode clientBody) {
    switch (context.kind()) {
      case CHAT: {
        List<String> dropped = OpenAiUnusedFields.check(required(clientBody), OpenAiChatToOllama.FIELDS);
        return post("/api/chat", OpenAiChatToOllama.body(context, clientBody), dropped);
      }
      case COMPLETION: {
        List<String> dropped = OpenAiUnusedFields.check(required(clientBody), OpenAiRequestsToOllama.COMPLETION_FIELDS);
        return post("/api/generate", OpenAiRequestsToOllama.completion(context, clientBody), dropped);
      }
      case EMBEDDINGS: {
        List<String> dropped = OpenAiUnusedFields.check(required(clientBody), OpenAiRequestsToOllama.EMBEDDING_FIELDS);
        return post("/api/embed", OpenAiRequestsToOllama.embeddings(context, clientBody), dropped);
      }
      case LIST_MODELS: return new TranslatedRequest("GET", "/api/tags", null);
      case SHOW_MODEL: return post("/api/show", OpenAiRequestsToOllama.show(context), List.of());
      default: throw unsupported(context.kind());
    }
  }

  @Override
  public ObjectNode translateResponse(TranslationContext context, ObjectNode backendBody) {
    switch (context.kind()) {
      case CHAT: return OllamaAnswersToOpenAi.chat(context, backendBody);
      case COMPLETION: return OllamaAnswersToOpenAi.completion(context, backendBody);
      case EMBEDDINGS: return OllamaAnswersToOpenAi.embeddings(context, backendBody);
      case LIST_MODELS: return OllamaModelsToOpenAi.list(backendBody);
      case SHOW_MODEL: return OllamaModelsToOpenAi.model(context.model(), backendBody);
      default: throw unsupported(context.kind());
    }
  }

  @Override
  public StreamTranslator newStreamTranslator(TranslationContext context) {
    if (!context.kind().isCompletion()) throw unsupported(context.kind());
    return new OllamaStreamToOpenAi(context);
  }

  private static TranslatedRequest post(String path, ObjectNode body, List<String> droppedFields) {
    return new TranslatedRequest("POST", path, body, droppedFields);
  }

  private static ObjectNode required(ObjectNode clientBody) {
    if (clientBody == null) throw new FlowException(ErrorCode.BAD_REQUEST, "a JSON request body is required");
    return clientBody;
  }

  /** Core asks only for the kinds {@link #supports} names, so anything else is a bug in core. */
  private static FlowException unsupported(RequestKind kind) {
    return new FlowException(ErrorCode.INTERNAL, "OpenAI-to-Ollama translation has no " + kind + " mapping");
  }
}
