package io.ollamaflow.core.internal;

import io.ollamaflow.core.inprocess.InProcessClient;
import io.ollamaflow.core.internal.proxy.ProxyEngine;
import java.lang.invoke.MethodHandles;

/**
 * How {@code FlowCluster.inProcess} makes an {@link InProcessClient} over the cluster's engine
 * without the client's public API naming {@link ProxyEngine}: the client's class registers its
 * private constructor here when it is initialised, and {@link #over} initialises it first.
 */
public final class InProcessClients {
  /** The client's constructor. */
  public interface Factory {
    InProcessClient over(ProxyEngine engine, String host);
  }

  private static volatile Factory factory;

  private InProcessClients() {}

  /**
   * For {@link InProcessClient}'s class initialiser only.
   *
   * @throws IllegalStateException when a factory is already registered
   */
  public static synchronized void register(Factory clients) {
    if (factory != null) throw new IllegalStateException("InProcessClient's factory is already registered");
    factory = clients;
  }

  /** A client over {@code engine} presenting {@code host} as its Host header (null: the catch-all frontend). */
  public static InProcessClient over(ProxyEngine engine, String host) {
    if (factory == null) {
      try {
        MethodHandles.lookup().ensureInitialized(InProcessClient.class);
      } catch (IllegalAccessException e) {
        throw new IllegalStateException("cannot initialise InProcessClient", e);
      }
    }
    return factory.over(engine, host);
  }
}
