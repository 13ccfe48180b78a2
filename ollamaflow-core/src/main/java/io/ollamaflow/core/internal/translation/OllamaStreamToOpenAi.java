package io.ollamaflow.core.internal.translation;

import static io.ollamaflow.core.internal.translation.OllamaAnswersToOpenAi.envelope;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ollamaflow.api.ErrorCode;
import io.ollamaflow.api.FlowException;
import io.ollamaflow.api.RequestKind;
import io.ollamaflow.api.StreamTranslator;
import io.ollamaflow.api.TranslationContext;
import io.ollamaflow.core.internal.json.Json;
import java.util.ArrayList;
import java.util.List;

/**
 * One streamed Ollama chat or generate answer as OpenAI chunks, each backend line translated as
 * soon as it arrives. The mapping is documented on {@link OpenAiToOllama}.
 *
 * <p>Threading: one instance per stream, used by one thread at a time.
 */
final class OllamaStreamToOpenAi implements StreamTranslator {
  private final boolean chat;
  private final String model;
  private final boolean includeUsage;
  private final String id;
  private long created = -1;
  private boolean roleSent;
  private int toolCalls;
  private boolean done;

  OllamaStreamToOpenAi(TranslationContext context) {
    chat = context.kind() == RequestKind.CHAT;
    model = context.model();
    JsonNode client = context.clientRequest();
    includeUsage = client != null && client.path("stream_options").path("include_usage").asBoolean(false);
    id = OllamaAnswersToOpenAi.randomId(chat ? "chatcmpl-" : "cmpl-");
  }

  @Override
  public List<ObjectNode> onEvent(ObjectNode line) {
    if (done) return List.of();
    if (created < 0) created = OllamaAnswersToOpenAi.createdAt(line);
    List<ObjectNode> chunks = new ArrayList<>(2);
    if (chat) chatPieces(line, chunks);
    else textPiece(line, chunks);
    if (line.path("done").asBoolean(false)) finish(line, chunks);
    return chunks;
  }

  @Override
  public List<ObjectNode> onEnd() {
    if (!done) {
      throw new FlowException(ErrorCode.BACKEND_ERROR, "the backend's stream ended before its final line (done: true)");
    }
    return List.of();
  }

  /**
   * Thinking and answer text go in separate chunks, thinking first, as OpenAI clients expect; the
   * line's logprobs ride on its last chunk.
   */
  private void chatPieces(ObjectNode line, List<ObjectNode> chunks) {
    JsonNode message = line.path("message");
    JsonNode logprobs = OllamaAnswersToOpenAi.logprobs(line);
    String thinking = message.path("thinking").asText();
    String content = message.path("content").asText();
    ArrayNode calls = OllamaAnswersToOpenAi.toolCalls(message.get("tool_calls"), toolCalls);
    boolean answers = !content.isEmpty() || calls != null;
    if (!thinking.isEmpty()) {
      chunks.add(chatChunk(delta().put("reasoning", thinking), answers ? NullNode.getInstance() : logprobs, null));
    }
    if (answers) {
      ObjectNode delta = delta();
      if (!content.isEmpty()) delta.put("content", content);
      if (calls != null) {
        delta.set("tool_calls", calls);
        toolCalls += calls.size();
      }
      chunks.add(chatChunk(delta, logprobs, null));
    }
  }

  private void textPiece(ObjectNode line, List<ObjectNode> chunks) {
    String text = line.path("response").asText();
    if (!text.isEmpty()) chunks.add(textChunk(text, null));
  }

  /**
   * The finish chunk, after a role chunk if nothing carried the role yet (a load-only reply), so
   * every choice has a role and a finish reason; then usage if the client asked for it.
   */
  private void finish(ObjectNode line, List<ObjectNode> chunks) {
    done = true;
    String reason = OllamaAnswersToOpenAi.finishReason(line, toolCalls > 0);
    if (chat) {
      if (!roleSent) chunks.add(chatChunk(delta().put("content", ""), NullNode.getInstance(), null));
      chunks.add(chatChunk(Json.MAPPER.createObjectNode(), NullNode.getInstance(), reason));
    } else {
      chunks.add(textChunk("", reason));
    }
    if (includeUsage) {
      ObjectNode usage = chunk();
      usage.putArray("choices");
      usage.set("usage", OllamaAnswersToOpenAi.usage(line));
      chunks.add(usage);
    }
  }

  /** A new delta, carrying the role if no chunk has yet. */
  private ObjectNode delta() {
    ObjectNode delta = Json.MAPPER.createObjectNode();
    if (!roleSent) delta.put("role", "assistant");
    roleSent = true;
    return delta;
  }

  private ObjectNode chatChunk(ObjectNode delta, JsonNode logprobs, String finishReason) {
    ObjectNode chunk = chunk();
    ObjectNode choice = chunk.putArray("choices").addObject().put("index", 0);
    choice.set("delta", delta);
    choice.set("logprobs", logprobs);
    choice.put("finish_reason", finishReason);
    return chunk;
  }

  private ObjectNode textChunk(String text, String finishReason) {
    ObjectNode chunk = chunk();
    chunk.putArray("choices").add(OllamaAnswersToOpenAi.textChoice(text, finishReason));
    return chunk;
  }

  private ObjectNode chunk() {
    return envelope(id, chat ? "chat.completion.chunk" : "text_completion", created, model);
  }
}
