package io.ollamaflow.core.inprocess;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ollamaflow.core.internal.json.Json;
import java.util.Objects;

/** One chat message: a role ({@code system}, {@code user}, {@code assistant}, {@code tool}) and its text. */
public final class Message {
  private final String role;
  private final String content;

  private Message(String role, String content) {
    this.role = Objects.requireNonNull(role, "role");
    this.content = Objects.requireNonNull(content, "content");
  }

  public static Message of(String role, String content) {
    return new Message(role, content);
  }

  public static Message system(String content) {
    return new Message("system", content);
  }

  public static Message user(String content) {
    return new Message("user", content);
  }

  public static Message assistant(String content) {
    return new Message("assistant", content);
  }

  public String role() {
    return role;
  }

  public String content() {
    return content;
  }

  ObjectNode toJson() {
    ObjectNode node = Json.MAPPER.createObjectNode();
    node.put("role", role);
    node.put("content", content);
    return node;
  }

  static Message fromJson(JsonNode node) {
    return new Message(node.path("role").asText("assistant"), node.path("content").asText(""));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Message && ((Message) o).role.equals(role) && ((Message) o).content.equals(content);
  }

  @Override
  public int hashCode() {
    return role.hashCode() * 31 + content.hashCode();
  }

  @Override
  public String toString() {
    return role + ": " + content;
  }
}
