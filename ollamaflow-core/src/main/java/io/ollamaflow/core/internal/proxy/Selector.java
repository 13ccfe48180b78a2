package io.ollamaflow.core.internal.proxy;

import io.ollamaflow.api.ApiFormat;
import io.ollamaflow.api.ApiTranslator;
import io.ollamaflow.api.Backend;
import io.ollamaflow.api.BackendView;
import io.ollamaflow.api.ErrorCode;
import io.ollamaflow.api.FlowException;
import io.ollamaflow.api.Frontend;
import io.ollamaflow.api.LoadBalancer;
import io.ollamaflow.api.RequestKind;
import io.ollamaflow.core.internal.ClusterState;
import io.ollamaflow.core.internal.models.ModelInventory;
import io.ollamaflow.core.internal.models.ModelNames;
import io.ollamaflow.core.internal.models.ModelNotFound;
import io.ollamaflow.core.internal.routing.BackendState;
import io.ollamaflow.core.internal.routing.FrontendSnapshot;
import io.ollamaflow.core.internal.routing.Labels;
import io.ollamaflow.core.internal.routing.ApiEndpoint;
import io.ollamaflow.core.internal.translation.TranslatorRegistry;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Chooses the backend of one attempt, and takes a capacity slot on it. Owns every filter, applied
 * once per attempt: active, speaking the request's dialect or one a translator covers, allowing
 * its kind, carrying the requested labels, routable, not yet tried, holding the model (when
 * backends' models are known), and able to express the request after translation. Then a sticky
 * session or blob affinity decides if it can; else the frontend's policy chooses among the
 * candidates with a free slot (or among all of them, for a policy that weighs waiting, see
 * {@link LoadBalancer#choosesAmongBusyBackends()}); else the request waits in the proxy's queue.
 * When the filters leave no backend at all, the error says which one did.
 *
 * <p>Threading: request threads call it concurrently; it holds no lock but the queue's.
 */
final class Selector {
  /** Kinds that need a backend holding the model; a pull or a create may go anywhere. */
  private static final Set<RequestKind> MODEL_ROUTED = EnumSet.of(RequestKind.CHAT, RequestKind.COMPLETION,
      RequestKind.EMBEDDINGS, RequestKind.SHOW_MODEL, RequestKind.PUSH_MODEL, RequestKind.COPY_MODEL,
      RequestKind.DELETE_MODEL);

  /** What {@link RequestState#selectedBy()} says when a sticky session chose the backend. */
  static final String STICKY = "sticky";

  /** How long Ollama keeps a model in memory after a request unless told otherwise. */
  static final Duration OLLAMA_KEEP_ALIVE = Duration.ofMinutes(5);

  private final ClusterState state;
  private final TranslatorRegistry translators;
  private final Clock clock;
  private final CapacityGate gate = new CapacityGate();

  Selector(ClusterState state, TranslatorRegistry translators, Clock clock) {
    this.state = state;
    this.translators = translators;
    this.clock = clock;
  }

  /** What choosing a backend for one attempt came to. */
  sealed interface Selection permits Chosen, NoneLeft, LeftRotation {}

  /** A backend holding a slot for this request; give it back with {@link #release}. */
  record Chosen(BackendState backend, int candidates) implements Selection {}

  /** Every candidate was tried already. */
  record NoneLeft() implements Selection {}

  /** The slot freed while the request waited was on a backend that has since left rotation: look again. */
  record LeftRotation() implements Selection {}

  /** Requests of this frontend waiting for a backend slot. */
  int queued(String frontendId) {
    return gate.queued(frontendId);
  }

  /** Gives back the slot of a {@link Chosen} backend. */
  void release(BackendState backend) {
    gate.release(backend);
  }

  /**
   * Filters the frontend's backends for this attempt and takes a slot on one of them.
   *
   * @param tried identifiers of backends earlier attempts failed on
   * @param deadline {@link System#nanoTime()} by which a slot must be had, 0 for none
   * @throws FlowException when no backend can serve the request at all, or none freed a slot in time
   */
  Selection select(RequestState request, FrontendSnapshot snapshot, List<String> labels, Set<String> tried,
      Translations translations, long deadline) throws IOException, InterruptedException {
    List<BackendState> candidates = eligible(snapshot, request.endpoint(), labels, tried, translators);
    String routingModel = routingModel(request.kind(), request.model());
    if (routingModel != null) {
      candidates = holding(candidates, routingModel, tried.isEmpty(), snapshot.frontend(), request.endpoint().format(),
          request.model());
    }
    candidates = translations.expressible(candidates);
    if (candidates.isEmpty()) return new NoneLeft();
    BackendState chosen = acquire(snapshot, candidates, request, deadline);
    if (chosen == null) return new LeftRotation();
    if (routingModel != null && (request.kind().isCompletion() || request.kind().isEmbeddings())) {
      Instant now = clock.instant();
      Instant until = now.plus(OLLAMA_KEEP_ALIVE);
      boolean cold = chosen.models().inventory().known() && !chosen.hasLoaded(routingModel);
      request.coldLoad(cold);
      // From now on the model is loading here: requests that follow share this load rather than
      // starting another one elsewhere, and do not count on the model it unloads.
      if (cold) chosen.models().markLoading(routingModel, until, now);
      else chosen.models().markLoaded(routingModel, until);
    }
    return new Chosen(chosen, candidates.size());
  }

  /**
   * Takes a slot on one of the candidates: the sticky one if it has room, else the blob's, else
   * the policy's choice; else the first to free a slot while the request waits.
   *
   * @return null when the slot freed during a wait was on a backend that left rotation meanwhile
   */
  private BackendState acquire(FrontendSnapshot snapshot, List<BackendState> candidates, RequestState request,
      long deadline) throws InterruptedException {
    Frontend frontend = snapshot.frontend();
    if (frontend.useStickySessions()) {
      String boundId = state.live().lookupSession(state.sessionKey(frontend.identifier(), request.clientKey()),
          stickyTtl(frontend)).orElse(null);
      for (BackendState candidate : candidates) {
        if (candidate.backend().identifier().equals(boundId) && candidate.tryAcquire()) {
          request.selectedBy(STICKY);
          return candidate;
        }
      }
    }
    if (request.affinityKey() != null) {
      BackendState preferred = candidates.get(Math.floorMod(request.affinityKey().hashCode(), candidates.size()));
      if (preferred.tryAcquire()) {
        request.selectedBy("blob affinity");
        return preferred;
      }
    }
    boolean weighsWaiting = snapshot.balancer().choosesAmongBusyBackends();
    List<BackendState> waitFor = candidates;
    for (int tries = 0; tries < 3; tries++) {
      List<BackendView> offered = new ArrayList<>(candidates.size());
      for (BackendState candidate : candidates) {
        if (weighsWaiting || candidate.hasFreeSlot()) offered.add(candidate);
      }
      if (offered.isEmpty()) break;
      BackendState chosen = pick(snapshot, offered, request);
      if (chosen.tryAcquire()) {
        request.selectedBy(snapshot.balancerName());
        return chosen;
      }
      if (weighsWaiting) {
        // The policy judged waiting for this backend better than starting elsewhere.
        waitFor = List.of(chosen);
        break;
      }
    }
    refuseIfOverRateLimit(frontend, candidates);
    long wait = deadline == 0 ? Long.MAX_VALUE : deadline - System.nanoTime();
    BackendState freed = wait <= 0 ? null : awaitSlot(frontend, waitFor, wait);
    if (freed == null) {
      throw new FlowException(ErrorCode.TIMEOUT, "no backend of frontend '" + frontend.identifier()
          + "' had a free slot within " + frontend.timeoutMs() + " ms (TimeoutMs; slots per backend: "
          + "MaxParallelRequests, or fewer where the backend was measured to queue)");
    }
    BackendState current = stillInRotation(frontend.identifier(), freed.backend().identifier());
    if (current == null) {
      gate.release(freed);
      return null;
    }
    request.selectedBy(snapshot.balancerName() + ", after queueing");
    return current;
  }

  /** Waits in the queue; a wait for one backend in particular counts as load on it for the policies. */
  private BackendState awaitSlot(Frontend frontend, List<BackendState> waitFor, long waitNanos)
      throws InterruptedException {
    BackendState only = waitFor.size() == 1 ? waitFor.get(0) : null;
    if (only != null) only.queuedHere();
    try {
      return gate.await(frontend.identifier(), waitFor, waitNanos);
    } finally {
      if (only != null) only.leftQueue();
    }
  }

  /**
   * The current version of a backend that freed a slot while a request waited, or null when it
   * left rotation meanwhile (deactivated, removed from the frontend, unhealthy): the waiter's
   * candidates were chosen before it waited.
   */
  private BackendState stillInRotation(String frontendId, String backendId) {
    FrontendSnapshot snapshot = state.routes().frontend(frontendId);
    if (snapshot == null) return null;
    for (BackendState backend : snapshot.backends()) {
      if (backend.backend().identifier().equals(backendId)) {
        return backend.backend().active() && backend.health().state().routable() ? backend : null;
      }
    }
    return null;
  }

  /** RateLimitRequestsThreshold: the candidates' thresholds bound what is in flight plus queued. */
  private void refuseIfOverRateLimit(Frontend frontend, List<BackendState> candidates) {
    long limit = 0;
    long load = gate.queued(frontend.identifier());
    for (BackendState backend : candidates) {
      limit += backend.backend().rateLimitRequestsThreshold();
      load += backend.activeRequests();
    }
    if (load >= limit) {
      throw new FlowException(ErrorCode.BACKEND_BUSY, "frontend '" + frontend.identifier() + "' is at capacity: "
          + load + " requests in flight or queued reach the RateLimitRequestsThreshold total (" + limit
          + ") of its eligible backends");
    }
  }

  static Duration stickyTtl(Frontend frontend) {
    return Duration.ofMillis(frontend.stickySessionExpirationMs());
  }

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

  private static FlowException modelNotFound(Frontend frontend, ApiFormat dialect, String model, String canonical) {
    for (String required : frontend.requiredModels()) {
      if (ModelNames.canonical(required).equals(canonical)) {
        return new FlowException(ErrorCode.MODEL_NOT_FOUND, "model '" + model + "' is not on any backend of frontend '"
            + frontend.identifier() + "' yet: it is in RequiredModels and being synced, try again shortly");
      }
    }
    return ModelNotFound.error(dialect, model);
  }

  /**
   * The backends that may serve this request, in the frontend's order: active, speaking the
   * request's dialect or one it can be translated to, allowing its kind, carrying every requested label, routable, and not in
   * {@code tried}. Empty only when every remaining one was tried.
   *
   * @throws FlowException when no backend passes the filters at all
   */
  static List<BackendState> eligible(FrontendSnapshot snapshot, ApiEndpoint endpoint, List<String> labels, Set<String> tried,
      TranslatorRegistry translators) {
    RequestKind kind = endpoint.kind();
    List<BackendState> eligible = new ArrayList<>(snapshot.backends().size());
    int active = 0;
    int speaking = 0;
    int allowing = 0;
    int labelled = 0;
    for (BackendState state : snapshot.backends()) {
      Backend backend = state.backend();
      if (!backend.active()) continue;
      active++;
      if (!serves(backend.apiFormat(), endpoint, translators)) continue;
      speaking++;
      if (!backend.allows(kind)) continue;
      allowing++;
      if (!Labels.carriesAll(backend, labels)) continue;
      labelled++;
      if (state.health().state().routable() && !tried.contains(backend.identifier())) eligible.add(state);
    }
    if (eligible.isEmpty() && tried.isEmpty()) {
      throw noCandidate(snapshot.frontend().identifier(), endpoint, labels, active, speaking, allowing, labelled);
    }
    return eligible;
  }

  /** The balancer's choice among {@code candidates} (non-empty), checked to be one of them. */
  static BackendState pick(FrontendSnapshot snapshot, List<BackendView> candidates, RequestState request) {
    if (candidates.size() == 1) return (BackendState) candidates.get(0);
    String frontendId = snapshot.frontend().identifier();
    BackendView chosen;
    try {
      chosen = snapshot.balancer().pick(candidates, request);
    } catch (RuntimeException e) {
      throw new FlowException(ErrorCode.INTERNAL,
          "load-balancing policy '" + snapshot.balancerName() + "' of frontend '" + frontendId + "' failed: " + e, e);
    }
    for (BackendView candidate : candidates) {
      if (candidate == chosen) return (BackendState) candidate;
    }
    throw new FlowException(ErrorCode.INTERNAL, "load-balancing policy '" + snapshot.balancerName() + "' of frontend '"
        + frontendId + "' returned a backend that was not among the candidates");
  }

  /**
   * A backend serves a route of its own dialect, and of another dialect when a translator covers
   * the route's kind. Ollama servers answer /v1 themselves too, but through the translator they get
   * the frontend's native pins (num_ctx, keep_alive) and report errors inside streams.
   */
  static boolean serves(ApiFormat backendFormat, ApiEndpoint endpoint, TranslatorRegistry translators) {
    if (backendFormat.equals(endpoint.format())) return true;
    ApiTranslator translator = translators.find(endpoint.format(), backendFormat);
    return translator != null && translator.supports(endpoint.kind());
  }

  private static FlowException noCandidate(String frontendId, ApiEndpoint endpoint, List<String> labels, int active,
      int speaking, int allowing, int labelled) {
    String frontend = "frontend '" + frontendId + "'";
    if (active == 0) {
      return new FlowException(ErrorCode.NO_HEALTHY_BACKEND, frontend + " has no active backend");
    }
    if (speaking == 0) {
      return new FlowException(ErrorCode.NO_HEALTHY_BACKEND, "no active backend of " + frontend + " serves "
          + endpoint.path() + ": it needs a backend speaking the " + endpoint.format()
          + " API, and no translator from it to the backends' formats covers this route");
    }
    if (allowing == 0) {
      String what = endpoint.kind().isEmbeddings() ? "embeddings" : "completions";
      return new FlowException(ErrorCode.FORBIDDEN, "every backend of " + frontend + " disallows " + what + " requests");
    }
    if (labelled == 0) {
      return new FlowException(ErrorCode.NO_HEALTHY_BACKEND, "no active backend of " + frontend
          + " carries all of the labels " + labels);
    }
    return new FlowException(ErrorCode.NO_HEALTHY_BACKEND, frontend + " has no healthy backend for " + endpoint.path());
  }
}
