package io.ollamaflow.api;

/**
 * Makes {@link LoadBalancer}s for the policy named {@link #name()}. Found through
 * {@link java.util.ServiceLoader} ({@code META-INF/services/io.ollamaflow.api.LoadBalancerProvider})
 * or registered on the cluster builder; an explicit registration wins over a discovered one with
 * the same name, and both win over a built-in.
 *
 * <p>Threading: {@link #newLoadBalancer} is called on the cluster's update thread whenever a
 * frontend using this policy is created or changed; it must not block.
 */
public interface LoadBalancerProvider {
  /** The policy name frontends use in {@code LoadBalancing}, in lower case, e.g. {@code round-robin}. */
  String name();

  /** A new balancer for one frontend; its state (counters) belongs to that frontend alone. */
  LoadBalancer newLoadBalancer(Frontend frontend);
}
