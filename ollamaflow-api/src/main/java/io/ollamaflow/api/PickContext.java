package io.ollamaflow.api;

/**
 * What a {@link LoadBalancer} may know about the request it routes. New facts are added here as
 * default methods, so balancers keep compiling.
 */
public interface PickContext {
  Frontend frontend();

  RequestKind kind();

  /**
   * The model the request is for after the frontend's {@code ModelAliases} are applied (the name a
   * backend will see); null for requests that name none.
   */
  String model();

  /** The sticky-session key: the first non-empty sticky header, else the client's IP address. */
  String clientKey();

  /** A request header by case-insensitive name; null if absent. */
  String header(String name);

  /**
   * How much a model was asked for lately through this cluster, in requests, decaying by half
   * every 30 seconds; 0 when unknown.
   */
  default long demand(String model) {
    return 0;
  }
}
