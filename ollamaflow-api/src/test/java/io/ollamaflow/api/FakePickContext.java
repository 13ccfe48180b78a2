package io.ollamaflow.api;

import java.util.HashMap;
import java.util.Map;

/**
 * A chat request from {@code 127.0.0.1} with no headers, for {@code llama3} unless a test names
 * another model, with the demand per model a test sets: enough for balancers that read nothing else.
 */
public final class FakePickContext implements PickContext {
  private final Frontend frontend;
  private final String model;
  private final Map<String, Long> demand = new HashMap<>();

  public FakePickContext(Frontend frontend, String model) {
    this.frontend = frontend;
    this.model = model;
  }

  public FakePickContext(Frontend frontend) {
    this(frontend, "llama3");
  }

  public FakePickContext() {
    this(Frontend.builder("fe").build());
  }

  /** Sets what {@link #demand(String)} reports for a model (exact name). */
  public FakePickContext demand(String model, long requests) {
    demand.put(model, requests);
    return this;
  }

  @Override
  public Frontend frontend() {
    return frontend;
  }

  @Override
  public RequestKind kind() {
    return RequestKind.CHAT;
  }

  @Override
  public String model() {
    return model;
  }

  @Override
  public String clientKey() {
    return "127.0.0.1";
  }

  @Override
  public String header(String name) {
    return null;
  }

  @Override
  public long demand(String model) {
    return demand.getOrDefault(model, 0L);
  }
}
