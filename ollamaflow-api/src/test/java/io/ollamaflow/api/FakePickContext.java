package io.ollamaflow.api;

/** A chat request for {@code llama3} from {@code 127.0.0.1} with no headers: enough for balancers that read nothing else. */
public final class FakePickContext implements PickContext {
  private final Frontend frontend;

  public FakePickContext(Frontend frontend) {
    this.frontend = frontend;
  }

  public FakePickContext() {
    this(Frontend.builder("fe").build());
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
    return "llama3";
  }

  @Override
  public String clientKey() {
    return "127.0.0.1";
  }

  @Override
  public String header(String name) {
    return null;
  }
}
