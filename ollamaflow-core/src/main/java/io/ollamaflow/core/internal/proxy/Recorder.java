package io.ollamaflow.core.internal.proxy;

import io.ollamaflow.api.RequestKind;
import io.ollamaflow.core.internal.ClusterState;
import io.ollamaflow.core.internal.models.ModelNames;
import io.ollamaflow.core.internal.routing.AnswerTimings;
import io.ollamaflow.core.internal.routing.BackendState;
import io.ollamaflow.core.internal.routing.FrontendSnapshot;
import java.time.Clock;
import java.time.Instant;

/**
 * The record stage: what a backend's answer teaches the cluster. Its status binds a sticky
 * session; a finished inference answer is a sample of the backend's load and keeps its model
 * marked in memory; a pull adds the model to the frontend's RequiredModels.
 *
 * <p>Threading: request threads call it concurrently; store writes go to the cluster's config
 * writer, never on the caller's thread.
 */
final class Recorder {
  /** One finished request, as the backend's load learns from it (see {@code BackendLoad}). */
  record Sample(int inFlight, long firstByteNanos, long totalNanos, AnswerTimings timings) {}

  private final ClusterState state;
  private final Clock clock;

  Recorder(ClusterState state, Clock clock) {
    this.state = state;
    this.clock = clock;
  }

  /**
   * The backend's status is known and its answer is about to be relayed. A sticky session is bound
   * now, before the client can read the answer and send its next request.
   */
  void answered(RequestState request, FrontendSnapshot snapshot, BackendState backend, int status) {
    // A session that chose this backend was already extended by its lookup: no second write.
    if (snapshot.frontend().useStickySessions() && status < 500 && status != 429 && !request.sticky()) {
      state.live().bindSession(state.sessionKey(snapshot.frontend().identifier(), request.clientKey()),
          backend.backend().identifier(), Selector.stickyTtl(snapshot.frontend()));
    }
  }

  /** The answer was relayed to its end. */
  void relayed(RequestState request, FrontendSnapshot snapshot, BackendState backend, int status, Sample sample) {
    if (status != 200) return;
    RequestKind kind = request.kind();
    if (kind.isCompletion() || kind.isEmbeddings()) {
      backend.load().recordAnswer(sample.inFlight(), backend.backend().maxParallelRequests(), sample.firstByteNanos(),
          sample.totalNanos(), sample.timings());
      Instant now = clock.instant();
      backend.models().markAnswered(ModelNames.canonical(request.model()), now.plus(Selector.OLLAMA_KEEP_ALIVE), now);
      if (request.coldLoad()) {
        backend.models().loadDone(ModelNames.canonical(request.model()));
        // The load may have unloaded other models there: list them again now.
        state.refreshModelsSoon(backend.backend().identifier());
      }
    }
    if (kind == RequestKind.PULL_MODEL) state.requireModel(snapshot.frontend().identifier(), request.model());
  }
}
