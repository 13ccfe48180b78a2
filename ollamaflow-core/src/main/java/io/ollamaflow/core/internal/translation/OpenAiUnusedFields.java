package io.ollamaflow.core.internal.translation;

import static io.ollamaflow.core.internal.translation.OpenAiClientFields.present;
import static io.ollamaflow.core.internal.translation.OpenAiClientFields.refused;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The fields of an OpenAI request that an Ollama backend has no use for. Clients built for vLLM
 * send many of them at their defaults ({@code "best_of": 1}, {@code "use_beam_search": false}),
 * and Ollama's own {@code /v1} ignores them, so:
 * <ul>
 *   <li>a field listed here passes while its value cannot change the answer (null, or the
 *       neutral value named beside it), and is refused with 400 otherwise, since the backend
 *       would silently answer something else;</li>
 *   <li>a field that is neither translated nor listed is a vendor extension: it is dropped, as
 *       Ollama's {@code /v1} drops it, and named in the {@code X-OllamaFlow-Dropped-Fields}
 *       answer header.</li>
 * </ul>
 * JSON null always counts as absent. Fields with an Ollama equivalent ({@code repetition_penalty},
 * {@code guided_json}, {@code chat_template_kwargs.enable_thinking}) are translated elsewhere.
 */
final class OpenAiUnusedFields {
  private static final Predicate<JsonNode> ANY = value -> true;
  private static final Predicate<JsonNode> NONE = value -> false;
  private static final Predicate<JsonNode> FALSE = value -> value.isBoolean() && !value.booleanValue();
  private static final Predicate<JsonNode> TRUE = value -> value.isBoolean() && value.booleanValue();
  private static final Predicate<JsonNode> EMPTY = value -> value.isContainerNode() && value.isEmpty();
  private static final Predicate<JsonNode> ONE = value -> value.isNumber() && value.asDouble() == 1;
  private static final Predicate<JsonNode> ZERO = value -> value.isNumber() && value.asDouble() == 0;

  /** Field, and when its value cannot change what an Ollama backend answers. */
  private static final Map<String, Predicate<JsonNode>> NEUTRAL = Map.ofEntries(
      // OpenAI
      Map.entry("best_of", ONE),
      Map.entry("echo", FALSE),
      Map.entry("modalities", value -> value.isArray() && value.size() == 1 && "text".equals(value.get(0).asText())),
      Map.entry("audio", NONE),
      Map.entry("functions", EMPTY),
      Map.entry("function_call", value -> "auto".equals(value.asText()) || "none".equals(value.asText())),
      Map.entry("web_search_options", NONE),
      Map.entry("verbosity", value -> "medium".equals(value.asText())),
      // vLLM's sampling extras (SamplingParams defaults)
      Map.entry("use_beam_search", FALSE),
      Map.entry("length_penalty", ANY),        // acts only with beam search
      Map.entry("early_stopping", ANY),        // acts only with beam search
      Map.entry("stop_token_ids", EMPTY),
      Map.entry("bad_words", EMPTY),
      Map.entry("include_stop_str_in_output", FALSE),
      Map.entry("ignore_eos", FALSE),
      Map.entry("min_tokens", ZERO),
      Map.entry("skip_special_tokens", TRUE),
      Map.entry("spaces_between_special_tokens", TRUE),
      Map.entry("truncate_prompt_tokens", NONE),
      Map.entry("prompt_logprobs", NONE),
      Map.entry("allowed_token_ids", NONE),
      Map.entry("logits_processors", NONE),
      Map.entry("return_tokens_as_token_ids", FALSE),
      Map.entry("return_token_ids", FALSE),
      // vLLM's structured output: guided_json has an equivalent; the rest constrain differently
      Map.entry("guided_regex", NONE),
      Map.entry("guided_choice", EMPTY),
      Map.entry("guided_grammar", NONE),
      Map.entry("structural_tag", NONE),
      Map.entry("guided_decoding_backend", ANY), // picks an engine for the above
      Map.entry("guided_whitespace_pattern", ANY),
      // vLLM's chat templating
      Map.entry("add_generation_prompt", TRUE),
      Map.entry("continue_final_message", FALSE),
      Map.entry("chat_template", NONE),
      Map.entry("documents", NONE),
      Map.entry("mm_processor_kwargs", NONE),
      // vLLM's scheduling and bookkeeping: never part of the answer
      Map.entry("priority", ANY),
      Map.entry("request_id", ANY),
      Map.entry("cache_salt", ANY),
      Map.entry("kv_transfer_params", ANY));

  private OpenAiUnusedFields() {}

  /**
   * Checks the fields of {@code body} outside {@code translated}.
   *
   * @return the vendor extensions to drop, in the client's order
   * @throws io.ollamaflow.api.FlowException 400 naming a listed field whose value would change the answer
   */
  static List<String> check(ObjectNode body, Set<String> translated) {
    List<String> dropped = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> fields = body.fields(); fields.hasNext(); ) {
      Map.Entry<String, JsonNode> field = fields.next();
      String name = field.getKey();
      if (translated.contains(name) || !present(field.getValue())) continue;
      Predicate<JsonNode> neutral = NEUTRAL.get(name);
      if (neutral == null) {
        dropped.add(name);
      } else if (!neutral.test(field.getValue())) {
        throw refused(name, "is not supported with this value: an Ollama backend has no equivalent (got "
            + field.getValue() + ")");
      }
    }
    return dropped;
  }
}
