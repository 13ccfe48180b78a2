package io.ollamaflow.core.internal.routing;

import io.ollamaflow.api.LoadBalancerContractTest;
import io.ollamaflow.api.LoadBalancerProvider;
import io.ollamaflow.core.LoadBalancers;

/** The shared {@link io.ollamaflow.api.LoadBalancer} contract, run against the built-in {@code model-affinity} policy. */
class ModelAffinityContractTest extends LoadBalancerContractTest {
  @Override
  protected LoadBalancerProvider provider() {
    return LoadBalancers.modelAffinity();
  }
}
