package io.ollamaflow.core.internal.models;

import com.fasterxml.jackson.databind.JsonNode;
import io.ollamaflow.api.ApiFormat;
import io.ollamaflow.api.Backend;
import io.ollamaflow.api.LogSafe;
import io.ollamaflow.core.ModelPull;
import io.ollamaflow.core.internal.BackendRequests;
import io.ollamaflow.core.internal.Threads;
import io.ollamaflow.core.internal.json.Json;
import io.ollamaflow.core.internal.routing.BackendState;
import io.ollamaflow.core.internal.routing.FrontendSnapshot;
import io.ollamaflow.core.internal.routing.RouteTable;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings every Ollama backend of a frontend to hold the frontend's {@code RequiredModels}, by
 * {@code /api/pull}, at most {@code perBackend} pulls at once on one backend and {@code total}
 * across the cluster. Only backends whose models were listed and lack the model are asked: a
 * backend already serving a model is never made to pull it, so no model loses serving capacity.
 * A failed pull is tried again at the next round; finished pulls stay visible for ten minutes.
 *
 * <p>Threading: rounds run on a timer thread, pulls on a pool of {@code total} threads; the job
 * table is guarded by this object's lock.
 */
public final class ModelSync implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ModelSync.class);
  private static final MediaType JSON = MediaType.get("application/json");
  /** How long a finished pull stays visible in {@link #pulls()}. */
  private static final Duration KEEP_FINISHED = Duration.ofMinutes(10);
  /** How long a finished pull keeps the same model from being pulled onto the same backend again. */
  private static final Duration REPULL_AFTER = Duration.ofMinutes(1);

  private final OkHttpClient client;
  private final Supplier<RouteTable> routes;
  private final int perBackend;
  private final int total;
  private final ScheduledExecutorService rounds = Executors.newSingleThreadScheduledExecutor(Threads.daemons("ollamaflow-sync"));
  private final ExecutorService pulls;
  private final Map<String, Job> jobs = new LinkedHashMap<>();

  private final Clock clock;

  public ModelSync(OkHttpClient client, Supplier<RouteTable> routes, int perBackend, int total, Duration interval,
      Clock clock) {
    this.clock = clock;
    // A pull sends a progress line every few seconds at most; allow long silences, no total limit.
    this.client = client.newBuilder().readTimeout(Duration.ofMinutes(5)).callTimeout(Duration.ZERO).build();
    this.routes = routes;
    this.perBackend = perBackend;
    this.total = total;
    this.pulls = Executors.newFixedThreadPool(total, Threads.daemons("ollamaflow-pull"));
    long ms = interval.toMillis();
    rounds.scheduleWithFixedDelay(this::round, ms, ms, TimeUnit.MILLISECONDS);
  }

  /** Runs a round soon, outside the schedule (RequiredModels just changed). */
  public void roundSoon() {
    Threads.submit(rounds, this::round);
  }

  /** Every pull queued, running, failed, or finished in the last 10 minutes, oldest first. */
  public synchronized List<ModelPull> pulls() {
    List<ModelPull> snapshot = new ArrayList<>();
    for (Job job : jobs.values()) snapshot.add(job.snapshot());
    return snapshot;
  }

  private void round() {
    try {
      Map<String, Job> wanted = new LinkedHashMap<>();
      for (FrontendSnapshot snapshot : routes.get().frontends()) {
        for (String model : snapshot.frontend().requiredModels()) {
          String canonical = ModelNames.canonical(model);
          for (BackendState backend : snapshot.backends()) {
            if (lacks(backend, canonical)) {
              wanted.putIfAbsent(key(backend, canonical), new Job(backend, model));
            }
          }
        }
      }
      synchronized (this) {
        Instant forgetBefore = clock.instant().minus(KEEP_FINISHED);
        jobs.values().removeIf(job -> job.state == ModelPull.State.DONE && job.updated.isBefore(forgetBefore));
        // A failed pull is started again. A pull that just finished is not, even if a listing
        // taken before it ended still says the model is missing.
        Instant repullAfter = clock.instant().minus(REPULL_AFTER);
        wanted.forEach((key, job) -> jobs.merge(key, job, (old, fresh) -> old.state == ModelPull.State.FAILED
            || old.state == ModelPull.State.DONE && old.updated.isBefore(repullAfter) ? fresh : old));
        dispatch();
      }
    } catch (RuntimeException e) {
      log.warn("Model sync round failed: {}", e.toString());
    }
  }

  private static boolean lacks(BackendState backend, String canonical) {
    Backend config = backend.backend();
    ModelInventory inventory = backend.models().inventory();
    return config.active() && config.apiFormat().equals(ApiFormat.OLLAMA) && backend.health().state().routable()
        && inventory.known() && !inventory.has(canonical);
  }

  /** Starts queued jobs while slots are free. Caller holds the lock. */
  private void dispatch() {
    int running = 0;
    Map<String, Integer> runningByBackend = new HashMap<>();
    for (Job job : jobs.values()) {
      if (job.state != ModelPull.State.PULLING) continue;
      running++;
      runningByBackend.merge(job.backendId(), 1, Integer::sum);
    }
    for (Job job : jobs.values()) {
      if (running >= total) return;
      if (job.state != ModelPull.State.QUEUED || runningByBackend.getOrDefault(job.backendId(), 0) >= perBackend) continue;
      job.update(ModelPull.State.PULLING, "starting", 0, 0, null);
      running++;
      runningByBackend.merge(job.backendId(), 1, Integer::sum);
      Threads.submit(pulls, () -> pull(job));
    }
  }

  private void pull(Job job) {
    Backend backend = job.backend.backend();
    String body = Json.MAPPER.createObjectNode().put("model", job.model).put("stream", true).toString();
    log.info("Pulling '{}' onto backend '{}' (RequiredModels)", LogSafe.of(job.model), backend.identifier());
    try (Response response = client.newCall(BackendRequests.to(backend, "/api/pull")
        .post(RequestBody.create(body, JSON)).build()).execute()) {
      if (!response.isSuccessful()) throw new IOException("answered " + response.code() + ": " + response.body().string());
      BufferedSource lines = response.body().source();
      String line;
      boolean success = false;
      while ((line = lines.readUtf8Line()) != null) {
        if (line.isBlank()) continue;
        JsonNode progress = Json.MAPPER.readTree(line);
        if (progress.hasNonNull("error")) throw new IOException(progress.get("error").asText());
        String status = progress.path("status").asText("");
        success = status.equals("success");
        job.update(ModelPull.State.PULLING, status, progress.path("completed").asLong(0), progress.path("total").asLong(0), null);
      }
      if (!success) throw new IOException("the progress stream ended without success");
      job.backend.models().markInstalled(ModelNames.canonical(job.model));
      job.update(ModelPull.State.DONE, "success", 0, 0, null);
      log.info("Pulled '{}' onto backend '{}'", LogSafe.of(job.model), backend.identifier());
    } catch (IOException | RuntimeException e) {
      job.update(ModelPull.State.FAILED, job.status, 0, 0, e.getMessage());
      log.warn("Pulling '{}' onto backend '{}' failed: {}", LogSafe.of(job.model), backend.identifier(),
          LogSafe.of(e.getMessage()));
    } finally {
      synchronized (this) {
        dispatch();
      }
    }
  }

  private static String key(BackendState backend, String canonical) {
    return backend.backend().identifier() + "\u0000" + canonical;
  }

  @Override
  public void close() {
    rounds.shutdownNow();
    pulls.shutdownNow();
  }

  /** A pull's live progress; its fields are written by one pull thread and read by snapshots. */
  private final class Job {
    final BackendState backend;
    final String model;
    volatile ModelPull.State state = ModelPull.State.QUEUED;
    volatile String status = "queued";
    volatile long completed;
    volatile long total;
    volatile String error;
    volatile Instant updated = clock.instant();

    Job(BackendState backend, String model) {
      this.backend = backend;
      this.model = model;
    }

    String backendId() {
      return backend.backend().identifier();
    }


    void update(ModelPull.State state, String status, long completed, long total, String error) {
      this.state = state;
      this.status = status;
      this.completed = completed;
      this.total = total;
      this.error = error;
      this.updated = clock.instant();
    }

    ModelPull snapshot() {
      return new ModelPull(backendId(), model, state, status, completed, total, error, updated);
    }
  }
}
