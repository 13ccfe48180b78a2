package io.ollamaflow.core.inprocess;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ollamaflow.core.internal.json.Json;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** An embeddings request ({@code POST /api/embed}): a model and one or more texts. */
public final class EmbedRequest {
  private final String model;
  private final List<String> inputs;
  private final CommonFields common;

  private EmbedRequest(Builder b) {
    this.model = b.model;
    this.inputs = List.copyOf(b.inputs);
    this.common = b.common.copy();
  }

  public static Builder builder(String model) {
    return new Builder(model);
  }

  public static EmbedRequest of(String model, String... inputs) {
    return builder(model).inputs(List.of(inputs)).build();
  }

  public String model() {
    return model;
  }

  public List<String> inputs() {
    return inputs;
  }

  Map<String, String> headers() {
    return common.headers;
  }

  ObjectNode toJson() {
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.put("model", model);
    ArrayNode input = body.putArray("input");
    inputs.forEach(input::add);
    ObjectNode finished = common.finish(body, false);
    finished.remove("stream"); // /api/embed does not stream
    return finished;
  }

  @Override
  public String toString() {
    return "EmbedRequest{model=" + model + ", inputs=" + inputs.size() + "}";
  }

  public static final class Builder extends RequestBuilder<Builder> {
    private final String model;
    private final List<String> inputs = new ArrayList<>();

    private Builder(String model) {
      this.model = Objects.requireNonNull(model, "model");
    }

    public Builder input(String text) {
      inputs.add(Objects.requireNonNull(text, "input"));
      return this;
    }

    public Builder inputs(List<String> texts) {
      texts.forEach(this::input);
      return this;
    }

    public EmbedRequest build() {
      if (inputs.isEmpty()) throw new IllegalStateException("inputs: empty (expected: at least one text)");
      return new EmbedRequest(this);
    }
  }
}
