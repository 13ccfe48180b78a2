package io.ollamaflow.core.inprocess;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;

/**
 * What every in-process request builder offers besides its own fields: model options,
 * keep-alive, headers, and JSON the typed fields do not cover.
 *
 * @param <B> the concrete builder, returned by every setter so calls chain
 */
public abstract class RequestBuilder<B extends RequestBuilder<B>> {
  final CommonFields common = new CommonFields();

  RequestBuilder() {}

  /** A model option ({@code temperature}, {@code num_ctx}, {@code seed}...); the value becomes JSON. */
  public B option(String name, Object value) {
    common.option(name, value);
    return self();
  }

  /** How long the backend keeps the model loaded afterwards ({@code keep_alive}). */
  public B keepAlive(Duration duration) {
    common.keepAlive(duration);
    return self();
  }

  /**
   * A request header, as an HTTP client would send it: {@code x-conversation-id} keys sticky
   * sessions, {@code X-OllamaFlow-Label} restricts the backends; others reach the backend.
   */
  public B header(String name, String value) {
    common.header(name, value);
    return self();
  }

  /**
   * Fields the typed request does not model ({@code tools}, {@code format}, {@code think},
   * images...), merged over the body built from the typed fields: objects merge, other values replace.
   */
  public B extra(ObjectNode extra) {
    common.extra(extra);
    return self();
  }

  @SuppressWarnings("unchecked")
  private B self() {
    return (B) this;
  }
}
