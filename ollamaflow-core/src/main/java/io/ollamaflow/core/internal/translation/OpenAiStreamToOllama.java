package io.ollamaflow.core.internal.translation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ollamaflow.api.ErrorCode;
import io.ollamaflow.api.FlowException;
import io.ollamaflow.api.StreamTranslator;
import io.ollamaflow.core.internal.json.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An OpenAI chat or completion stream (SSE chunks) as Ollama's NDJSON lines. Text and reasoning
 * go out as they arrive; tool calls, which OpenAI servers stream in fragments, go out whole in one
 * line when the finish reason arrives; the done line waits for the usage chunk, or the end.
 *
 * <p>Accepts vLLM's layout (role-only first chunk, finish reason on the last delta, usage in a
 * chunk with no choices) and Ollama's {@code /v1} layouts (role in every delta, usage on a copy
 * of the last chunk).
 */
final class OpenAiStreamToOllama implements StreamTranslator {
  private final OllamaAnswers answers;
  /** Tool calls being assembled, by their index in the stream. */
  private final Map<Integer, ToolCallFragments> toolCalls = new TreeMap<>();
  private String finishReason;
  private JsonNode usage;
  private boolean done;

  OpenAiStreamToOllama(OllamaAnswers answers) {
    this.answers = answers;
  }

  @Override
  public List<ObjectNode> onEvent(ObjectNode event) {
    if (done) return List.of();
    JsonNode eventUsage = event.get("usage");
    if (eventUsage != null && eventUsage.isObject()) usage = eventUsage;
    JsonNode choices = event.path("choices");
    if (choices.isEmpty()) {
      // The usage chunk after the finish: nothing more is coming.
      return finishReason != null && usage != null ? List.of(last()) : List.of();
    }
    JsonNode choice = choices.get(0);
    JsonNode delta = choice.path("delta");
    List<ObjectNode> lines = new ArrayList<>(2);
    String thinking = OllamaAnswers.reasoning(delta);
    if (!thinking.isEmpty()) lines.add(answers.line("", thinking));
    String content = OllamaAnswers.content(choice, delta);
    if (!content.isEmpty()) lines.add(OllamaAnswers.withLogprobs(answers.line(content, ""), choice));
    for (JsonNode fragment : delta.path("tool_calls")) {
      toolCalls.computeIfAbsent(fragment.path("index").asInt(), index -> new ToolCallFragments()).add(fragment);
    }
    JsonNode reason = choice.get("finish_reason");
    if (reason != null && reason.isTextual() && finishReason == null) {
      finishReason = reason.textValue();
      if (!toolCalls.isEmpty()) lines.add(answers.toolCallLine(wholeToolCalls()));
    }
    return lines;
  }

  @Override
  public List<ObjectNode> onEnd() {
    if (done) return List.of();
    if (finishReason == null) {
      throw new FlowException(ErrorCode.BACKEND_ERROR, "the backend's stream ended before its finish reason");
    }
    return List.of(last());
  }

  private ObjectNode last() {
    done = true;
    return answers.finish(answers.line("", ""), finishReason, usage);
  }

  private ArrayNode wholeToolCalls() {
    ArrayNode calls = Json.MAPPER.createArrayNode();
    for (ToolCallFragments call : toolCalls.values()) {
      calls.add(OllamaAnswers.toolCall(call.id, calls.size(), call.name, call.arguments.toString()));
    }
    return calls;
  }

  /** One tool call as its fragments arrive: id and name come once, arguments in pieces. */
  private static final class ToolCallFragments {
    String id = "";
    String name = "";
    final StringBuilder arguments = new StringBuilder();

    void add(JsonNode fragment) {
      if (id.isEmpty()) id = fragment.path("id").asText("");
      JsonNode function = fragment.path("function");
      if (name.isEmpty()) name = function.path("name").asText("");
      arguments.append(function.path("arguments").asText(""));
    }
  }
}
