package io.ollamaflow.core.internal.models;

import com.fasterxml.jackson.databind.JsonNode;
import io.ollamaflow.api.ApiFormat;
import io.ollamaflow.api.Backend;
import io.ollamaflow.core.internal.BackendRequests;
import io.ollamaflow.core.internal.json.Json;
import io.ollamaflow.core.internal.routing.BackendState;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Map;
import okhttp3.OkHttpClient;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lists what a backend holds: {@code /api/tags} and {@code /api/ps} for Ollama servers,
 * {@code /v1/models} for OpenAI-format servers (whose models are always loaded). A failed listing
 * leaves the previous inventory in place: health is the prober's business, not this class's.
 *
 * <p>Threading: {@link #refresh} blocks on the network; it is called on the poller's threads.
 */
public final class ModelDiscovery {
  private static final Logger log = LoggerFactory.getLogger(ModelDiscovery.class);
  /** How long an OpenAI-format server's models count as loaded; refreshed with each listing. */
  private static final Duration ALWAYS_LOADED = Duration.ofDays(1);

  private final OkHttpClient client;
  private final Clock clock;

  public ModelDiscovery(OkHttpClient client, Duration timeout, Clock clock) {
    this.client = client.newBuilder().callTimeout(timeout).build();
    this.clock = clock;
  }

  public void refresh(BackendState state) {
    Backend backend = state.backend();
    Instant now = clock.instant();
    try {
      ModelInventory inventory = backend.apiFormat().equals(ApiFormat.OPENAI)
          ? openAi(get(backend, "/v1/models"), now)
          : ollama(get(backend, "/api/tags"), get(backend, "/api/ps"), now);
      state.models().replace(inventory, now);
    } catch (IOException | RuntimeException e) {
      log.debug("Listing the models of backend '{}' failed: {}", backend.identifier(), e.toString());
    }
  }

  /** Reads {@code /api/tags} (installed) and {@code /api/ps} (loaded) answers. */
  static ModelInventory ollama(JsonNode tags, JsonNode ps, Instant now) {
    Map<String, String> installed = new HashMap<>();
    for (JsonNode model : tags.path("models")) {
      String name = name(model);
      if (name != null) installed.put(ModelNames.canonical(name), model.path("digest").asText(""));
    }
    return ModelInventory.of(installed, loaded(ps, now));
  }

  /** Reads an {@code /api/ps} answer: canonical name to when the model unloads. */
  public static Map<String, Instant> loaded(JsonNode ps, Instant now) {
    Map<String, Instant> loaded = new HashMap<>();
    for (JsonNode model : ps.path("models")) {
      String name = name(model);
      if (name != null) loaded.put(ModelNames.canonical(name), expiry(model.path("expires_at").asText(""), now));
    }
    return loaded;
  }

  /** Reads a {@code /v1/models} answer. */
  static ModelInventory openAi(JsonNode models, Instant now) {
    Map<String, String> installed = new HashMap<>();
    Map<String, Instant> loaded = new HashMap<>();
    Map<String, String> served = new HashMap<>();
    for (JsonNode model : models.path("data")) {
      String id = model.path("id").textValue();
      if (id == null) continue;
      String canonical = ModelNames.canonical(id);
      installed.put(canonical, "");
      loaded.put(canonical, now.plus(ALWAYS_LOADED));
      served.put(canonical, id);
    }
    return ModelInventory.of(installed, loaded, served);
  }

  private static String name(JsonNode model) {
    String name = model.path("model").textValue();
    return name != null ? name : model.path("name").textValue();
  }

  /** Ollama's RFC 3339 expiry; an unreadable one counts as Ollama's default of five minutes. */
  private static Instant expiry(String text, Instant now) {
    try {
      return OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException e) {
      return now.plus(Duration.ofMinutes(5));
    }
  }

  private JsonNode get(Backend backend, String path) throws IOException {
    try (Response response = client.newCall(BackendRequests.to(backend, path).build()).execute()) {
      if (!response.isSuccessful()) throw new IOException("GET " + path + " answered " + response.code());
      return Json.MAPPER.readTree(response.body().byteStream());
    }
  }
}
