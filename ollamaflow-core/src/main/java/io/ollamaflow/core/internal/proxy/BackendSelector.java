package io.ollamaflow.core.internal.proxy;

import io.ollamaflow.api.ApiFormat;
import io.ollamaflow.api.Backend;
import io.ollamaflow.api.BackendView;
import io.ollamaflow.api.ErrorCode;
import io.ollamaflow.api.FlowException;
import io.ollamaflow.api.RequestKind;
import io.ollamaflow.core.internal.routing.BackendState;
import io.ollamaflow.core.internal.routing.FrontendRoute;
import io.ollamaflow.core.internal.routing.ProxyRoute;
import java.util.ArrayList;
import java.util.List;

/**
 * Filters a frontend's backends down to those that can serve the request, then asks the
 * frontend's balancer. When none is left, the error says which filter emptied the list.
 */
final class BackendSelector {
  private BackendSelector() {}

  static BackendState select(FrontendRoute route, ProxyRoute proxyRoute, RequestState request) {
    String frontendId = route.frontend().identifier();
    RequestKind kind = proxyRoute.kind();
    List<BackendView> candidates = new ArrayList<>(route.backends().size());
    int active = 0;
    int speaking = 0;
    int allowing = 0;
    for (BackendState state : route.backends()) {
      Backend backend = state.backend();
      if (!backend.active()) continue;
      active++;
      if (!speaks(backend.apiFormat(), proxyRoute.format())) continue;
      speaking++;
      if (!backend.allows(kind)) continue;
      allowing++;
      if (state.health().state().routable()) candidates.add(state);
    }
    if (candidates.isEmpty()) {
      throw noCandidate(frontendId, proxyRoute, active, speaking, allowing);
    }
    BackendView chosen;
    try {
      chosen = candidates.size() == 1 ? candidates.get(0) : route.balancer().pick(candidates, request);
    } catch (RuntimeException e) {
      throw new FlowException(ErrorCode.INTERNAL,
          "load-balancing policy '" + route.balancerName() + "' of frontend '" + frontendId + "' failed: " + e, e);
    }
    for (BackendView candidate : candidates) {
      if (candidate == chosen) return (BackendState) candidate;
    }
    throw new FlowException(ErrorCode.INTERNAL, "load-balancing policy '" + route.balancerName() + "' of frontend '"
        + frontendId + "' returned a backend that was not among the candidates");
  }

  /** Ollama servers also serve the OpenAI routes under /v1; OpenAI-format servers serve only those. */
  static boolean speaks(ApiFormat backendFormat, ApiFormat requestFormat) {
    return backendFormat.equals(requestFormat) || (backendFormat.equals(ApiFormat.OLLAMA) && requestFormat.equals(ApiFormat.OPENAI));
  }

  private static FlowException noCandidate(String frontendId, ProxyRoute route, int active, int speaking, int allowing) {
    String frontend = "frontend '" + frontendId + "'";
    if (active == 0) {
      return new FlowException(ErrorCode.NO_HEALTHY_BACKEND, frontend + " has no active backend");
    }
    if (speaking == 0) {
      return new FlowException(ErrorCode.NO_HEALTHY_BACKEND, "no active backend of " + frontend + " speaks the "
          + route.format() + " API needed for " + route.path() + " (translation between dialects is not enabled)");
    }
    if (allowing == 0) {
      String what = route.kind().isEmbeddings() ? "embeddings" : "completions";
      return new FlowException(ErrorCode.FORBIDDEN, "every backend of " + frontend + " disallows " + what + " requests");
    }
    return new FlowException(ErrorCode.NO_HEALTHY_BACKEND, frontend + " has no healthy backend for " + route.path());
  }
}
