package io.ollamaflow.core.internal.routing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ollamaflow.api.Frontend;
import io.ollamaflow.api.LoadBalancer;
import io.ollamaflow.api.RequestKind;
import io.ollamaflow.core.internal.models.ModelNames;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import okhttp3.OkHttpClient;

/**
 * What a request to one frontend needs, fixed at snapshot time: its configuration, its known
 * backends in rotation order (missing ones left out), its balancer and an HTTP client whose
 * timeouts follow the frontend's {@code TimeoutMs}.
 */
public final class FrontendSnapshot {
  private final Frontend frontend;
  private final List<BackendState> backends;
  private final LoadBalancer balancer;
  private final String balancerName;
  private final OkHttpClient client;
  private final ObjectNode completionPins;
  private final ObjectNode embeddingPins;
  private final ObjectNode completionDefaults;
  private final ObjectNode embeddingDefaults;
  /** Canonical alias name to the target model as configured. */
  private final Map<String, String> aliasTargets = new HashMap<>();

  public FrontendSnapshot(Frontend frontend, List<BackendState> backends, LoadBalancer balancer, String balancerName,
      OkHttpClient client) {
    this.frontend = frontend;
    this.backends = List.copyOf(backends);
    this.balancer = balancer;
    this.balancerName = balancerName;
    this.client = client;
    this.completionPins = frontend.pinnedCompletionsProperties();
    this.embeddingPins = frontend.pinnedEmbeddingsProperties();
    this.completionDefaults = frontend.defaultCompletionsProperties();
    this.embeddingDefaults = frontend.defaultEmbeddingsProperties();
    frontend.modelAliases().forEach((alias, target) -> aliasTargets.put(ModelNames.canonical(alias), target));
  }

  public Frontend frontend() { return frontend; }
  public List<BackendState> backends() { return backends; }
  public LoadBalancer balancer() { return balancer; }
  /** The policy actually in use (a frontend naming an unknown policy falls back to round-robin). */
  public String balancerName() { return balancerName; }
  public OkHttpClient client() { return client; }

  /** The frontend's pinned properties for this kind of request; empty if none. Read-only. */
  public ObjectNode pins(RequestKind kind) {
    return Pins.forKind(kind, completionPins, embeddingPins);
  }

  /** The frontend's default properties for this kind of request (filling gaps only); empty if none. Read-only. */
  public ObjectNode defaults(RequestKind kind) {
    return Pins.forKind(kind, completionDefaults, embeddingDefaults);
  }

  /** The model a {@code ModelAliases} entry maps this name to (compared by canonical name), or null if it is no alias. */
  public String aliasTarget(String model) {
    return model == null || aliasTargets.isEmpty() ? null : aliasTargets.get(ModelNames.canonical(model));
  }
}
