package io.ollamaflow.api;

/**
 * What a {@link LoadBalancer} may know about the request it routes. New facts are added here as
 * default methods, so balancers keep compiling.
 */
public interface PickContext {
  Frontend frontend();

  RequestKind kind();

  /** The model the request names, as the client wrote it; null for requests that name none. */
  String model();

  /** The sticky-session key: the first non-empty sticky header, else the client's IP address. */
  String clientKey();

  /** A request header by case-insensitive name; null if absent. */
  String header(String name);
}
