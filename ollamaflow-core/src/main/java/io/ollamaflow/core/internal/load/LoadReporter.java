package io.ollamaflow.core.internal.load;

import com.fasterxml.jackson.databind.JsonNode;
import io.ollamaflow.api.ApiFormat;
import io.ollamaflow.api.Backend;
import io.ollamaflow.core.internal.BackendRequests;
import io.ollamaflow.core.internal.json.Json;
import io.ollamaflow.core.internal.models.ModelDiscovery;
import io.ollamaflow.core.internal.routing.BackendState;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import okhttp3.OkHttpClient;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks each backend, often, what it is doing, so that routing sees load and loaded models that
 * did not come through this cluster (another proxy instance, direct users): an Ollama's
 * {@code /api/ps} (which models are in memory), an OpenAI-format server's {@code /metrics} (vLLM's
 * and llama.cpp's running and waiting requests) and llama.cpp's {@code /slots} (how many requests
 * it runs at once). An endpoint a backend does not have (404) is not asked again for ten minutes.
 *
 * <p>Threading: {@link #poll} blocks on the network; the poller's threads call it.
 */
public final class LoadReporter {
  private static final Logger log = LoggerFactory.getLogger(LoadReporter.class);
  private static final Duration ABSENT_RETRY = Duration.ofMinutes(10);

  private final OkHttpClient client;
  private final Clock clock;
  /** "backendUrl path" to when that endpoint answered 404. */
  private final Map<String, Instant> absent = new ConcurrentHashMap<>();

  public LoadReporter(OkHttpClient client, Duration timeout, Clock clock) {
    this.client = client.newBuilder().callTimeout(timeout).build();
    this.clock = clock;
  }

  public void poll(BackendState state) {
    Backend backend = state.backend();
    try {
      if (backend.apiFormat().equals(ApiFormat.OPENAI)) {
        String metrics = get(backend, "/metrics");
        ReportedLoad reported = metrics == null ? ReportedLoad.NOTHING : ReportedLoad.fromMetrics(metrics);
        String slots = get(backend, "/slots");
        if (slots != null) reported = withSlots(reported, Json.MAPPER.readTree(slots));
        state.load().recordReport(reported.running(), reported.waiting(), reported.slots(), state.activeRequests());
      } else {
        String ps = get(backend, "/api/ps");
        if (ps != null) {
          Instant now = clock.instant();
          state.models().replaceLoaded(ModelDiscovery.loaded(Json.MAPPER.readTree(ps), now), now);
        }
      }
    } catch (IOException | RuntimeException e) {
      log.debug("Reading the load of backend '{}' failed: {}", backend.identifier(), e.toString());
    }
  }

  /** llama.cpp's {@code /slots}: one object per slot, {@code is_processing} on the busy ones. */
  static ReportedLoad withSlots(ReportedLoad reported, JsonNode slots) {
    if (!slots.isArray() || slots.isEmpty()) return reported;
    int busy = 0;
    for (JsonNode slot : slots) {
      if (slot.path("is_processing").asBoolean(false)) busy++;
    }
    int running = reported.running() >= 0 ? reported.running() : busy;
    return new ReportedLoad(running, reported.waiting(), slots.size());
  }

  /** The body of a successful GET, or null when the backend has no such endpoint. */
  private String get(Backend backend, String path) throws IOException {
    String key = backend.baseUrl() + " " + path;
    Instant since = absent.get(key);
    if (since != null && since.plus(ABSENT_RETRY).isAfter(clock.instant())) return null;
    try (Response response = client.newCall(BackendRequests.to(backend, path).build()).execute()) {
      if (response.code() == 404 || response.code() == 405 || response.code() == 501) {
        absent.put(key, clock.instant());
        return null;
      }
      if (!response.isSuccessful()) throw new IOException("GET " + path + " answered " + response.code());
      absent.remove(key);
      return response.body().string();
    }
  }

  /** Forgets endpoints of backends no longer configured. */
  public void retain(Set<String> baseUrls) {
    absent.keySet().removeIf(key -> !baseUrls.contains(key.substring(0, key.indexOf(' '))));
  }
}
