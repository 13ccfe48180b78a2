package io.ollamaflow.core.inprocess;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ollamaflow.core.internal.json.Json;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/** A completion request ({@code POST /api/generate}): a model and a prompt. */
public final class GenerateRequest {
  private final String model;
  private final String prompt;
  private final String system;
  private final CommonFields common;

  private GenerateRequest(Builder b) {
    this.model = b.model;
    this.prompt = b.prompt;
    this.system = b.system;
    this.common = b.common.copy();
  }

  public static Builder builder(String model) {
    return new Builder(model);
  }

  public static GenerateRequest of(String model, String prompt) {
    return builder(model).prompt(prompt).build();
  }

  public String model() {
    return model;
  }

  public String prompt() {
    return prompt;
  }

  /** The system prompt; null for the model's own. */
  public String system() {
    return system;
  }

  Map<String, String> headers() {
    return common.headers;
  }

  ObjectNode toJson(boolean stream) {
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.put("model", model);
    body.put("prompt", prompt);
    if (system != null) body.put("system", system);
    return common.finish(body, stream);
  }

  @Override
  public String toString() {
    return "GenerateRequest{model=" + model + "}";
  }

  public static final class Builder extends RequestBuilder<Builder> {
    private final String model;
    private String prompt = "";
    private String system;

    private Builder(String model) {
      this.model = Objects.requireNonNull(model, "model");
    }

    public Builder prompt(String prompt) {
      this.prompt = Objects.requireNonNull(prompt, "prompt");
      return this;
    }

    public Builder system(String system) {
      this.system = Objects.requireNonNull(system, "system");
      return this;
    }

    public GenerateRequest build() {
      return new GenerateRequest(this);
    }
  }
}
