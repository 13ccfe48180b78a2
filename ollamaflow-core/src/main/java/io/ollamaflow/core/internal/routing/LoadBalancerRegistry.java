package io.ollamaflow.core.internal.routing;

import io.ollamaflow.api.LoadBalancerProvider;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Policy name to provider: built-ins, then ServiceLoader discoveries, then explicit registrations, later ones winning. */
public final class LoadBalancerRegistry {
  private static final Logger log = LoggerFactory.getLogger(LoadBalancerRegistry.class);

  private final Map<String, LoadBalancerProvider> providers = new LinkedHashMap<>();

  public LoadBalancerRegistry(Collection<LoadBalancerProvider> explicit, ClassLoader classLoader) {
    register(BuiltInBalancers.ROUND_ROBIN);
    register(BuiltInBalancers.RANDOM);
    register(BuiltInBalancers.LEAST_REQUESTS);
    register(BuiltInBalancers.MODEL_AFFINITY);
    for (LoadBalancerProvider provider : ServiceLoader.load(LoadBalancerProvider.class, classLoader)) {
      log.info("Found load-balancing policy '{}' ({})", provider.name(), provider.getClass().getName());
      register(provider);
    }
    explicit.forEach(this::register);
  }

  /** The provider for a policy name, ignoring case; null if none is known. */
  public LoadBalancerProvider find(String name) {
    return providers.get(name.toLowerCase(Locale.ROOT));
  }

  public Set<String> names() {
    return providers.keySet();
  }

  private void register(LoadBalancerProvider provider) {
    providers.put(provider.name().toLowerCase(Locale.ROOT), provider);
  }
}
