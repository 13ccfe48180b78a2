package io.ollamaflow.core.inprocess;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ollamaflow.core.internal.json.Json;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A chat request ({@code POST /api/chat}): a model and the conversation so far.
 *
 * <pre>{@code
 * ChatRequest req = ChatRequest.builder("llama3.2").system("Be brief.").user("Why is the sky blue?")
 *     .option("temperature", 0.2).build();
 * }</pre>
 */
public final class ChatRequest {
  private final String model;
  private final List<Message> messages;
  private final CommonFields common;

  private ChatRequest(Builder b) {
    this.model = b.model;
    this.messages = List.copyOf(b.messages);
    this.common = b.common.copy();
  }

  public static Builder builder(String model) {
    return new Builder(model);
  }

  /** A one-message conversation: {@code user} asks {@code model}. */
  public static ChatRequest of(String model, String user) {
    return builder(model).user(user).build();
  }

  public String model() {
    return model;
  }

  public List<Message> messages() {
    return messages;
  }

  Map<String, String> headers() {
    return common.headers;
  }

  ObjectNode toJson(boolean stream) {
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.put("model", model);
    ArrayNode list = body.putArray("messages");
    for (Message m : messages) list.add(m.toJson());
    return common.finish(body, stream);
  }

  @Override
  public String toString() {
    return "ChatRequest{model=" + model + ", messages=" + messages.size() + "}";
  }

  public static final class Builder extends RequestBuilder<Builder> {
    private final String model;
    private final List<Message> messages = new ArrayList<>();

    private Builder(String model) {
      this.model = Objects.requireNonNull(model, "model");
    }

    public Builder message(Message message) {
      messages.add(Objects.requireNonNull(message, "message"));
      return this;
    }

    public Builder messages(List<Message> messages) {
      messages.forEach(this::message);
      return this;
    }

    public Builder system(String content) {
      return message(Message.system(content));
    }

    public Builder user(String content) {
      return message(Message.user(content));
    }

    public Builder assistant(String content) {
      return message(Message.assistant(content));
    }

    public ChatRequest build() {
      if (messages.isEmpty()) throw new IllegalStateException("messages: empty (expected: at least one message)");
      return new ChatRequest(this);
    }
  }
}
