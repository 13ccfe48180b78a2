package io.ollamaflow.core.internal.routing;

import io.ollamaflow.api.Frontend;
import io.ollamaflow.api.LoadBalancer;
import io.ollamaflow.api.LoadBalancerProvider;
import java.util.function.Function;

/** The providers of the built-in policies; exposed through {@code io.ollamaflow.core.LoadBalancers}. */
public final class BuiltInBalancers {
  public static final LoadBalancerProvider ROUND_ROBIN = provider(Frontend.ROUND_ROBIN, f -> new RoundRobinLoadBalancer());
  public static final LoadBalancerProvider RANDOM = provider(Frontend.RANDOM, f -> RandomLoadBalancer.INSTANCE);
  public static final LoadBalancerProvider LEAST_REQUESTS =
      provider(Frontend.LEAST_REQUESTS, f -> new LeastRequestsLoadBalancer());
  public static final LoadBalancerProvider MODEL_AFFINITY =
      provider(Frontend.MODEL_AFFINITY, f -> new ModelAffinityLoadBalancer());

  private BuiltInBalancers() {}

  private static LoadBalancerProvider provider(String name, Function<Frontend, LoadBalancer> factory) {
    return new LoadBalancerProvider() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public LoadBalancer newLoadBalancer(Frontend frontend) {
        return factory.apply(frontend);
      }

      @Override
      public String toString() {
        return "built-in " + name;
      }
    };
  }
}
