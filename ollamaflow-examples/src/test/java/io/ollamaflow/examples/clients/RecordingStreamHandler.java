package io.ollamaflow.examples.clients;

import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.CompleteToolCall;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** Records what a langchain4j streaming model delivers: the text pieces, whole tool calls, the end. */
final class RecordingStreamHandler implements StreamingChatResponseHandler {
  final List<String> pieces = new CopyOnWriteArrayList<>();
  final List<CompleteToolCall> toolCalls = new CopyOnWriteArrayList<>();
  private final CompletableFuture<ChatResponse> response = new CompletableFuture<>();

  @Override
  public void onPartialResponse(String piece) {
    pieces.add(piece);
  }

  @Override
  public void onCompleteToolCall(CompleteToolCall toolCall) {
    toolCalls.add(toolCall);
  }

  @Override
  public void onCompleteResponse(ChatResponse complete) {
    response.complete(complete);
  }

  @Override
  public void onError(Throwable error) {
    response.completeExceptionally(error);
  }

  /** The complete response; fails with the stream's error, or after 10 s if it never ends. */
  ChatResponse await() throws Exception {
    return response.get(10, TimeUnit.SECONDS);
  }
}
