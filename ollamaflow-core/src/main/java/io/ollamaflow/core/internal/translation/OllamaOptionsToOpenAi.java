package io.ollamaflow.core.internal.translation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ollamaflow.api.ErrorCode;
import io.ollamaflow.api.FlowException;
import java.util.Map;
import java.util.Set;

/**
 * The settings of an Ollama chat or generate request that shape the answer ({@code options},
 * {@code format}, {@code think}, {@code logprobs}, {@code stream}) as OpenAI request fields.
 * The mapping is documented on {@link OllamaToOpenAi}.
 */
final class OllamaOptionsToOpenAi {
  private static final Map<String, String> RENAMED = Map.of(
      "temperature", "temperature",
      "top_p", "top_p",
      "seed", "seed",
      "stop", "stop",
      "presence_penalty", "presence_penalty",
      "frequency_penalty", "frequency_penalty",
      "top_k", "top_k",
      "min_p", "min_p",
      "repeat_penalty", "repetition_penalty");

  /**
   * Options about loading and resources, not about the answer; mirostat_eta and mirostat_tau act
   * only with mirostat on, which is refused.
   */
  private static final Set<String> DROPPED = Set.of(
      "num_ctx", "num_batch", "num_gpu", "main_gpu", "num_thread", "use_mmap", "use_mlock", "numa",
      "low_vram", "num_keep", "f16_kv", "logits_all", "vocab_only", "draft_num_predict",
      "mirostat_eta", "mirostat_tau");

  /** Sampler options that do nothing at these values, so sending them is harmless. */
  private static final Map<String, Double> NEUTRAL = Map.of("mirostat", 0.0, "tfs_z", 1.0, "typical_p", 1.0);

  private static final Set<String> EFFORTS = Set.of("low", "medium", "high");

  private OllamaOptionsToOpenAi() {}

  /**
   * Copies the answer-shaping settings of {@code client} into {@code backend}.
   *
   * @param chatEndpoint false for {@code /v1/completions}, which has no chat template to think with
   */
  static void apply(ObjectNode client, ObjectNode backend, boolean chatEndpoint, boolean stream) {
    options(client.get("options"), backend);
    format(client.get("format"), backend);
    JsonNode think = client.get("think");
    if (given(think) && chatEndpoint) {
      think(think, backend);
    } else if (given(think) && !think.equals(BooleanNode.FALSE)) {
      throw refused("think", "with raw or suffix");
    }
    if (client.path("logprobs").asBoolean(false)) {
      if (!chatEndpoint) throw refused("logprobs", "with raw or suffix");
      backend.put("logprobs", true);
      if (given(client.get("top_logprobs"))) backend.set("top_logprobs", client.get("top_logprobs"));
    }
    if (client.path("_debug_render_only").asBoolean(false)) throw refused("_debug_render_only", "");
    backend.put("stream", stream);
    // vLLM rejects stream_options on a request that does not stream.
    if (stream) backend.putObject("stream_options").put("include_usage", true);
  }

  private static void options(JsonNode options, ObjectNode backend) {
    if (!given(options)) return;
    if (!options.isObject()) throw new FlowException(ErrorCode.BAD_REQUEST, "options must be an object");
    options.fields().forEachRemaining(option -> {
      String name = option.getKey();
      JsonNode value = option.getValue();
      if (value.isNull() || DROPPED.contains(name)) return;
      if (name.equals("num_predict")) {
        if (!value.isNumber()) throw new FlowException(ErrorCode.BAD_REQUEST, "options.num_predict must be an integer");
        // -1 (unlimited) and -2 (fill the context) have no OpenAI spelling: omitting max_tokens is the same.
        if (value.asLong() > 0) backend.put("max_tokens", value.asLong());
      } else if (RENAMED.containsKey(name)) {
        backend.set(RENAMED.get(name), value);
      } else if (!(NEUTRAL.containsKey(name) && value.isNumber() && value.asDouble() == NEUTRAL.get(name))) {
        throw refused("options." + name, "");
      }
    });
  }

  private static void format(JsonNode format, ObjectNode backend) {
    if (!given(format)) return;
    ObjectNode responseFormat = backend.putObject("response_format");
    if (format.isObject()) {
      responseFormat.put("type", "json_schema");
      responseFormat.putObject("json_schema").put("name", "response").set("schema", format);
    } else if (format.asText().equals("json")) {
      responseFormat.put("type", "json_object");
    } else {
      throw new FlowException(ErrorCode.BAD_REQUEST, "format must be \"json\" or a JSON schema object");
    }
  }

  private static void think(JsonNode think, ObjectNode backend) {
    if (think.isBoolean()) {
      backend.putObject("chat_template_kwargs").put("enable_thinking", think.booleanValue());
    } else if (EFFORTS.contains(think.asText())) {
      backend.put("reasoning_effort", think.asText());
    } else if (think.asText().equals("max")) {
      backend.put("reasoning_effort", "high");
    } else {
      throw new FlowException(ErrorCode.BAD_REQUEST, "think must be true, false, \"low\", \"medium\", \"high\" or \"max\"");
    }
  }

  /** True when the client gave the field a value that means something: not null, "", [] or {}. */
  static boolean given(JsonNode node) {
    if (node == null || node.isNull()) return false;
    if (node.isTextual()) return !node.textValue().isEmpty();
    return !node.isContainerNode() || !node.isEmpty();
  }

  /** Refuses a field that would change the answer and has no OpenAI equivalent. */
  static FlowException refused(String field, String when) {
    return new FlowException(ErrorCode.BAD_REQUEST,
        field + " cannot be translated for an OpenAI-format backend" + (when.isEmpty() ? "" : " " + when));
  }
}
