package io.ollamaflow.core.internal.proxy;

import io.ollamaflow.api.ApiFormat;
import io.ollamaflow.api.ApiTranslator;
import io.ollamaflow.api.Backend;
import io.ollamaflow.api.BackendView;
import io.ollamaflow.api.ErrorCode;
import io.ollamaflow.api.FlowException;
import io.ollamaflow.api.Frontend;
import io.ollamaflow.api.RequestKind;
import io.ollamaflow.core.internal.models.ModelDemand;
import io.ollamaflow.core.internal.models.ModelInventory;
import io.ollamaflow.core.internal.models.ModelNames;
import io.ollamaflow.core.internal.routing.BackendState;
import io.ollamaflow.core.internal.routing.FrontendRoute;
import io.ollamaflow.core.internal.routing.Labels;
import io.ollamaflow.core.internal.routing.ProxyRoute;
import io.ollamaflow.core.internal.translation.TranslatorRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Filters a frontend's backends down to those that may serve a request, and asks the frontend's
 * balancer to choose among them. When the filters leave none, the error says which one did.
 */
final class BackendSelector {
  /** Kinds that need a backend holding the model; a pull or a create may go anywhere. */
  private static final Set<RequestKind> MODEL_ROUTED = EnumSet.of(RequestKind.CHAT, RequestKind.COMPLETION,
      RequestKind.EMBEDDINGS, RequestKind.SHOW_MODEL, RequestKind.PUSH_MODEL, RequestKind.COPY_MODEL,
      RequestKind.DELETE_MODEL);

  private BackendSelector() {}

  /** The canonical name of the model this request must find on its backend; null if any backend will do. */
  static String routingModel(RequestKind kind, String model) {
    return model != null && MODEL_ROUTED.contains(kind) ? ModelNames.canonical(model) : null;
  }

  /**
   * Narrows eligible backends to those holding the model. Backends whose models were never listed
   * may hold anything, so they serve when no listed backend has it.
   *
   * @param firstAttempt false when earlier attempts already failed: then an empty result means
   *     "every backend with the model was tried", not "model not found"
   * @throws FlowException 404 in the client's dialect when no eligible backend has the model
   */
  static List<BackendState> holding(List<BackendState> eligible, String canonicalModel, boolean firstAttempt,
      Frontend frontend, ApiFormat dialect, String model) {
    List<BackendState> have = new ArrayList<>(eligible.size());
    List<BackendState> unknown = new ArrayList<>();
    for (BackendState state : eligible) {
      ModelInventory inventory = state.models().inventory();
      if (!inventory.known()) unknown.add(state);
      else if (inventory.has(canonicalModel)) have.add(state);
    }
    if (!have.isEmpty()) return have;
    if (!unknown.isEmpty()) return unknown;
    if (!firstAttempt) return have;
    throw modelNotFound(frontend, dialect, model, canonicalModel);
  }

  /**
   * The backends among {@code candidates} that have the model in memory now; empty when that
   * cannot be told because some candidate's models were never listed (it might be warm too).
   */
  static List<BackendView> warm(List<BackendView> candidates, String canonicalModel, Instant now) {
    List<BackendView> warm = new ArrayList<>(candidates.size());
    for (BackendView candidate : candidates) {
      ModelInventory inventory = ((BackendState) candidate).models().inventory();
      if (!inventory.known()) return List.of();
      if (inventory.loaded(canonicalModel, now)) warm.add(candidate);
    }
    return warm;
  }

  /**
   * Where a cold load does least harm: the candidates whose models in memory are least in demand
   * (a load may unload them). Empty when that cannot be told (some candidate was never listed).
   */
  static List<BackendView> leastDemandedResidents(List<BackendView> candidates, ModelDemand demand, Instant now) {
    List<BackendView> best = new ArrayList<>();
    long lowest = Long.MAX_VALUE;
    for (BackendView candidate : candidates) {
      ModelInventory inventory = ((BackendState) candidate).models().inventory();
      if (!inventory.known()) return List.of();
      long resident = 0;
      for (var loaded : inventory.loadedUntil().entrySet()) {
        if (loaded.getValue().isAfter(now)) resident += demand.of(loaded.getKey());
      }
      if (resident < lowest) {
        best.clear();
        lowest = resident;
      }
      if (resident == lowest) best.add(candidate);
    }
    return best;
  }

  private static FlowException modelNotFound(Frontend frontend, ApiFormat dialect, String model, String canonical) {
    for (String required : frontend.requiredModels()) {
      if (ModelNames.canonical(required).equals(canonical)) {
        return new FlowException(ErrorCode.MODEL_NOT_FOUND, "model '" + model + "' is not on any backend of frontend '"
            + frontend.identifier() + "' yet: it is in RequiredModels and being synced, try again shortly");
      }
    }
    // Ollama's own wording, so that clients (the ollama CLI among them) react as they do to Ollama.
    String message = ApiFormat.OPENAI.equals(dialect) ? "The model `" + model + "` does not exist."
        : "model '" + model + "' not found";
    return new FlowException(ErrorCode.MODEL_NOT_FOUND, message);
  }

  /**
   * The backends that may serve this request, in the frontend's order: active, speaking the
   * request's dialect or one it can be translated to, allowing its kind, carrying every requested label, routable, and not in
   * {@code tried}. Empty only when every remaining one was tried.
   *
   * @throws FlowException when no backend passes the filters at all
   */
  static List<BackendState> eligible(FrontendRoute route, ProxyRoute proxyRoute, List<String> labels, Set<String> tried,
      TranslatorRegistry translators) {
    RequestKind kind = proxyRoute.kind();
    List<BackendState> eligible = new ArrayList<>(route.backends().size());
    int active = 0;
    int speaking = 0;
    int allowing = 0;
    int labelled = 0;
    for (BackendState state : route.backends()) {
      Backend backend = state.backend();
      if (!backend.active()) continue;
      active++;
      if (!serves(backend.apiFormat(), proxyRoute, translators)) continue;
      speaking++;
      if (!backend.allows(kind)) continue;
      allowing++;
      if (!Labels.carriesAll(backend, labels)) continue;
      labelled++;
      if (state.health().state().routable() && !tried.contains(backend.identifier())) eligible.add(state);
    }
    if (eligible.isEmpty() && tried.isEmpty()) {
      throw noCandidate(route.frontend().identifier(), proxyRoute, labels, active, speaking, allowing, labelled);
    }
    return eligible;
  }

  /** The balancer's choice among {@code candidates} (non-empty), checked to be one of them. */
  static BackendState pick(FrontendRoute route, List<BackendView> candidates, RequestState request) {
    if (candidates.size() == 1) return (BackendState) candidates.get(0);
    String frontendId = route.frontend().identifier();
    BackendView chosen;
    try {
      chosen = route.balancer().pick(candidates, request);
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

  /**
   * A backend serves a route of its own dialect, and of another dialect when a translator covers
   * the route's kind. Ollama servers answer /v1 themselves too, but through the translator they get
   * the frontend's native pins (num_ctx, keep_alive) and report errors inside streams.
   */
  static boolean serves(ApiFormat backendFormat, ProxyRoute route, TranslatorRegistry translators) {
    if (backendFormat.equals(route.format())) return true;
    ApiTranslator translator = translators.find(route.format(), backendFormat);
    return translator != null && translator.supports(route.kind());
  }

  private static FlowException noCandidate(String frontendId, ProxyRoute route, List<String> labels, int active,
      int speaking, int allowing, int labelled) {
    String frontend = "frontend '" + frontendId + "'";
    if (active == 0) {
      return new FlowException(ErrorCode.NO_HEALTHY_BACKEND, frontend + " has no active backend");
    }
    if (speaking == 0) {
      return new FlowException(ErrorCode.NO_HEALTHY_BACKEND, "no active backend of " + frontend + " serves "
          + route.path() + ": it needs a backend speaking the " + route.format()
          + " API, and no translator from it to the backends' formats covers this route");
    }
    if (allowing == 0) {
      String what = route.kind().isEmbeddings() ? "embeddings" : "completions";
      return new FlowException(ErrorCode.FORBIDDEN, "every backend of " + frontend + " disallows " + what + " requests");
    }
    if (labelled == 0) {
      return new FlowException(ErrorCode.NO_HEALTHY_BACKEND, "no active backend of " + frontend
          + " carries all of the labels " + labels);
    }
    return new FlowException(ErrorCode.NO_HEALTHY_BACKEND, frontend + " has no healthy backend for " + route.path());
  }
}
