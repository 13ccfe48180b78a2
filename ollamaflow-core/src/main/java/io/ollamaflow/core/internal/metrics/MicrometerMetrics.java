package io.ollamaflow.core.internal.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.ollamaflow.api.BackendView;
import io.ollamaflow.api.ErrorCode;
import io.ollamaflow.api.FlowException;
import io.ollamaflow.api.HealthState;
import io.ollamaflow.api.HealthStatus;
import io.ollamaflow.api.RequestInfo;
import io.ollamaflow.api.RequestKind;
import io.ollamaflow.core.ModelPull;
import io.ollamaflow.core.internal.routing.BackendState;
import io.ollamaflow.core.internal.routing.FrontendSnapshot;
import io.ollamaflow.core.internal.routing.RouteTable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;

/**
 * Records the cluster's events in a Micrometer registry: the only class of core that names
 * Micrometer types. Names follow Prometheus conventions once the registry renders them
 * ({@code ollamaflow.request.duration} becomes {@code ollamaflow_request_duration_seconds}), and
 * OpenTelemetry's GenAI semantic conventions where they name the same thing. Every label value
 * comes from a bounded set: configured identifiers, enums, status classes, and model names
 * bounded by {@link ModelLabels}.
 *
 * <p>Threading: request events arrive on request threads, gauge rows change on the update thread.
 */
public final class MicrometerMetrics implements ClusterMetrics {
  /** Bucket bounds of the latency histograms: 5 ms to 5 min. */
  private static final Duration[] LATENCY_BUCKETS = durations(5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000,
      10_000, 30_000, 60_000, 120_000, 300_000);
  /** Bucket bounds of time per output token: 1 ms to 2.5 s. */
  private static final Duration[] TOKEN_TIME_BUCKETS = durations(1, 5, 10, 20, 40, 60, 80, 100, 250, 500, 1_000,
      2_500);
  /** OpenTelemetry's advice for gen_ai.client.token.usage: powers of 4 from 1 to 4^13. */
  private static final double[] TOKEN_BUCKETS = {1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576,
      4194304, 16777216, 67108864};
  private static final String NONE = "none";
  private static final String[] STATUS_CLASSES = {"0xx", "1xx", "2xx", "3xx", "4xx", "5xx", "6xx", "7xx", "8xx", "9xx"};
  private static final String[] KINDS = Arrays.stream(RequestKind.values()).map(MicrometerMetrics::lower)
      .toArray(String[]::new);

  private final MeterRegistry registry;
  private final ModelLabels models = new ModelLabels();
  // The per-request meters by their label values: found again without building a Meter.Id and its
  // sorted Tags for every request, which cost more than the recording itself. As bounded as the
  // registry's own series (configured identifiers, enums, ModelLabels).
  private final Map<RequestLabels, Timer> durations = new ConcurrentHashMap<>();
  private final Map<GenAiLabels, Timer> firstTokens = new ConcurrentHashMap<>();
  private final Map<GenAiLabels, Timer> outputTokenTimes = new ConcurrentHashMap<>();
  private final Map<GenAiLabels, DistributionSummary> inputTokens = new ConcurrentHashMap<>();
  private final Map<GenAiLabels, DistributionSummary> outputTokens = new ConcurrentHashMap<>();
  private final MultiGauge health;
  private final MultiGauge inFlight;
  private final MultiGauge concurrencyLimit;
  private final MultiGauge externalLoad;
  private final MultiGauge modelsLoaded;
  private final MultiGauge queued;
  private final MultiGauge pulls;
  private volatile ToIntFunction<String> queuedByFrontend = frontend -> 0;
  private volatile Supplier<List<ModelPull>> modelPulls = List::of;

  private MicrometerMetrics(MeterRegistry registry) {
    this.registry = registry;
    health = gauge("ollamaflow.backend.health",
        "1 for the backend's current health state (healthy, unhealthy, unknown), 0 for the others");
    inFlight = gauge("ollamaflow.backend.requests.in.flight",
        "Requests this cluster is forwarding to the backend now, streams included");
    concurrencyLimit = gauge("ollamaflow.backend.concurrency.limit",
        "Requests the backend serves at once before the proxy queues more: learned, at most MaxParallelRequests");
    externalLoad = gauge("ollamaflow.backend.external.requests",
        "Requests the backend last reported running or waiting that this cluster did not send");
    modelsLoaded = gauge("ollamaflow.backend.models.loaded",
        "Models the backend holds in memory, as last listed or seen on traffic");
    queued = gauge("ollamaflow.frontend.requests.queued", "Requests of the frontend waiting in the proxy for a backend slot");
    pulls = gauge("ollamaflow.backend.model.pulls",
        "RequiredModels pulls onto the backend that are queued or under way");
  }

  private MultiGauge gauge(String name, String description) {
    return MultiGauge.builder(name).description(description).register(registry);
  }

  /** The recorder for {@code registry}; call only when the host gave one. */
  public static ClusterMetrics create(MeterRegistry registry) {
    return new MicrometerMetrics(registry);
  }

  @Override
  public void sources(ToIntFunction<String> queuedByFrontend, Supplier<List<ModelPull>> pulls) {
    this.queuedByFrontend = queuedByFrontend;
    this.modelPulls = pulls;
  }

  @Override
  public void routesPublished(RouteTable routes, Collection<BackendState> backends) {
    List<MultiGauge.Row<?>> healthRows = new ArrayList<>();
    List<MultiGauge.Row<?>> inFlightRows = new ArrayList<>();
    List<MultiGauge.Row<?>> limitRows = new ArrayList<>();
    List<MultiGauge.Row<?>> externalRows = new ArrayList<>();
    List<MultiGauge.Row<?>> loadedRows = new ArrayList<>();
    List<MultiGauge.Row<?>> pullRows = new ArrayList<>();
    for (BackendState backend : backends) {
      Tags tags = Tags.of("backend", backend.backend().identifier());
      for (HealthState state : HealthState.values()) {
        healthRows.add(MultiGauge.Row.of(tags.and("state", lower(state)), backend,
            b -> b.health().state() == state ? 1 : 0));
      }
      inFlightRows.add(MultiGauge.Row.of(tags, backend, BackendView::activeRequests));
      limitRows.add(MultiGauge.Row.of(tags, backend, BackendView::concurrencyLimit));
      externalRows.add(MultiGauge.Row.of(tags, backend, BackendView::externalLoad));
      loadedRows.add(MultiGauge.Row.of(tags, backend, b -> b.loadedModels().size()));
      String id = backend.backend().identifier();
      pullRows.add(MultiGauge.Row.of(tags, this, m -> m.pullsUnderWay(id)));
    }
    health.register(healthRows, true);
    inFlight.register(inFlightRows, true);
    concurrencyLimit.register(limitRows, true);
    externalLoad.register(externalRows, true);
    modelsLoaded.register(loadedRows, true);
    pulls.register(pullRows, true);
    List<MultiGauge.Row<?>> queuedRows = new ArrayList<>();
    for (FrontendSnapshot snapshot : routes.frontends()) {
      String id = snapshot.frontend().identifier();
      queuedRows.add(MultiGauge.Row.of(Tags.of("frontend", id), this, m -> m.queuedByFrontend.applyAsInt(id)));
    }
    queued.register(queuedRows, true);
  }

  @Override
  public void firstByte(RequestInfo r) {
    RequestKind kind = r.kind();
    if (kind == null || r.status() != 200 || !(kind.isCompletion() || kind.isEmbeddings())) return;
    cached(firstTokens, genAiLabels(r, r.status()), labels -> Timer.builder("gen_ai.server.time_to_first_token")
        .description("Time from the request's arrival to the first byte of the answer: queueing, model load and prompt evaluation")
        .serviceLevelObjectives(LATENCY_BUCKETS)
        .tags(labels.tags())
        .register(registry))
        .record(r.firstByteNanos(), TimeUnit.NANOSECONDS);
  }

  @Override
  public void requestFinished(RequestInfo r) {
    recordRequest(r, r.status());
    RequestKind kind = r.kind();
    if (kind == null || r.status() != 200 || !(kind.isCompletion() || kind.isEmbeddings())) return;
    GenAiLabels genAi = genAiLabels(r, r.status());
    tokens(inputTokens, genAi, "input", r.inputTokens());
    tokens(outputTokens, genAi, "output", r.outputTokens());
    if (r.generationNanos() > 0 && r.outputTokens() > 0) {
      cached(outputTokenTimes, genAi, labels -> Timer.builder("gen_ai.server.time_per_output_token")
          .description("Generation time per output token, as the backend reported it (Ollama's eval_duration / eval_count)")
          .serviceLevelObjectives(TOKEN_TIME_BUCKETS)
          .tags(labels.tags())
          .register(registry))
          .record(r.generationNanos() / r.outputTokens(), TimeUnit.NANOSECONDS);
    }
    if (r.coldLoad()) {
      long loadNanos = r.modelLoadNanos() > 0 ? r.modelLoadNanos() : r.elapsedNanos();
      Timer.builder("ollamaflow.model.load.duration")
          .description("Model loads: requests sent to a backend without the model in memory, and how long the load took")
          .serviceLevelObjectives(LATENCY_BUCKETS)
          .tags(Tags.of("backend", orNone(r.backendId()), "model", models.of(r.model(), r.status())))
          .register(registry)
          .record(loadNanos, TimeUnit.NANOSECONDS);
    }
  }

  @Override
  public void requestFailed(RequestInfo r, FlowException failure) {
    if (r.status() != 0) {
      // The answer had started: the stream was cut short, and requestFinished may still follow.
      Counter.builder("ollamaflow.responses.broken")
          .description("Answers that failed after their status was sent: the backend failed mid-stream")
          .tags("backend", orNone(r.backendId()))
          .register(registry)
          .increment();
      return;
    }
    int status = failure.httpStatus();
    recordRequest(r, status);
    if (status == 401 || status == 403 || status == 429 || status == 503 || status == 504) {
      Counter.builder("ollamaflow.refusals")
          .description("Requests the proxy answered 401, 403, 429, 503 or 504 itself, by reason")
          .tags("frontend", orNone(r.frontendId()), "status", Integer.toString(status), "reason", lower(failure.code()))
          .register(registry)
          .increment();
    }
  }

  @Override
  public void retried(RequestInfo r, String reason, ErrorCode cause) {
    Counter.builder("ollamaflow.failovers")
        .description("Attempts that failed before anything reached the client and were retried on another backend")
        .tags("frontend", orNone(r.frontendId()), "backend", orNone(r.backendId()), "reason", failoverReason(cause))
        .register(registry)
        .increment();
  }

  @Override
  public void healthChanged(BackendView backend, HealthStatus previous) {
    Counter.builder("ollamaflow.backend.health.transitions")
        .description("Times the backend moved into a health state")
        .tags("backend", backend.backend().identifier(), "state", lower(backend.health().state()))
        .register(registry)
        .increment();
  }

  private long pullsUnderWay(String backendId) {
    return modelPulls.get().stream().filter(p -> p.backendId().equals(backendId))
        .filter(p -> p.state() == ModelPull.State.QUEUED || p.state() == ModelPull.State.PULLING).count();
  }

  private void recordRequest(RequestInfo r, int status) {
    RequestLabels labels = new RequestLabels(orNone(r.frontendId()), orNone(r.backendId()), kind(r),
        models.of(r.model(), status), statusClass(status));
    cached(durations, labels, l -> Timer.builder("ollamaflow.request.duration")
        .description("Requests served by the proxy and how long they took, to the last byte; _count is the request count")
        .serviceLevelObjectives(LATENCY_BUCKETS)
        .tags("frontend", l.frontend(), "backend", l.backend(), "kind", l.kind(), "model", l.model(), "status", l.status())
        .register(registry))
        .record(r.elapsedNanos(), TimeUnit.NANOSECONDS);
  }

  private void tokens(Map<GenAiLabels, DistributionSummary> meters, GenAiLabels genAi, String type, long count) {
    if (count < 0) return;
    cached(meters, genAi, labels -> DistributionSummary.builder("gen_ai.client.token.usage")
        .description("Tokens per request as the backend reported them (Ollama prompt_eval_count/eval_count, OpenAI usage)")
        .baseUnit("tokens")
        .serviceLevelObjectives(TOKEN_BUCKETS)
        .tags(labels.tags().and("gen_ai.token.type", type))
        .register(registry))
        .record(count);
  }

  /** The meter of {@code labels}, registered on first use. */
  private static <K, M> M cached(Map<K, M> meters, K labels, Function<K, M> register) {
    M meter = meters.get(labels);
    return meter != null ? meter : meters.computeIfAbsent(labels, register);
  }

  private GenAiLabels genAiLabels(RequestInfo r, int status) {
    return new GenAiLabels(operation(r.kind()), models.of(r.model(), status), orNone(r.backendId()));
  }

  /** The labels of {@code ollamaflow.request.duration}. */
  private record RequestLabels(String frontend, String backend, String kind, String model, String status) {}

  /** OpenTelemetry's GenAI attributes, plus the backend that answered. */
  private record GenAiLabels(String operation, String model, String backend) {
    Tags tags() {
      return Tags.of("gen_ai.operation.name", operation, "gen_ai.request.model", model, "backend", backend);
    }
  }

  private static String operation(RequestKind kind) {
    switch (kind) {
      case CHAT: return "chat";
      case EMBEDDINGS: return "embeddings";
      default: return "text_completion";
    }
  }

  private static String failoverReason(ErrorCode code) {
    switch (code) {
      case TIMEOUT: return "timeout";
      case BACKEND_BUSY: return "busy";
      default: return "error";
    }
  }

  private static String kind(RequestInfo r) {
    return r.kind() == null ? NONE : KINDS[r.kind().ordinal()];
  }

  private static String statusClass(int status) {
    return status >= 0 && status < 1000 ? STATUS_CLASSES[status / 100] : status / 100 + "xx";
  }

  private static String lower(Enum<?> value) {
    return value.name().toLowerCase(Locale.ROOT);
  }

  private static String orNone(String value) {
    return value == null ? NONE : value;
  }

  private static Duration[] durations(long... millis) {
    Duration[] result = new Duration[millis.length];
    for (int i = 0; i < millis.length; i++) result[i] = Duration.ofMillis(millis[i]);
    return result;
  }
}
