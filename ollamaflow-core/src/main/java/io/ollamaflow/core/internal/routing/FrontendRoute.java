package io.ollamaflow.core.internal.routing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ollamaflow.api.Frontend;
import io.ollamaflow.api.LoadBalancer;
import io.ollamaflow.api.RequestKind;
import java.util.List;
import okhttp3.OkHttpClient;

/**
 * What a request to one frontend needs, fixed at snapshot time: its configuration, its known
 * backends in rotation order (missing ones left out), its balancer and an HTTP client whose
 * timeouts follow the frontend's {@code TimeoutMs}.
 */
public final class FrontendRoute {
  private final Frontend frontend;
  private final List<BackendState> backends;
  private final LoadBalancer balancer;
  private final String balancerName;
  private final OkHttpClient client;
  private final ObjectNode completionPins;
  private final ObjectNode embeddingPins;

  public FrontendRoute(Frontend frontend, List<BackendState> backends, LoadBalancer balancer, String balancerName,
      OkHttpClient client) {
    this.frontend = frontend;
    this.backends = List.copyOf(backends);
    this.balancer = balancer;
    this.balancerName = balancerName;
    this.client = client;
    this.completionPins = frontend.pinnedCompletionsProperties();
    this.embeddingPins = frontend.pinnedEmbeddingsProperties();
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
}
