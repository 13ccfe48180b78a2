package io.ollamaflow.core.internal.models;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ollamaflow.api.ApiFormat;
import io.ollamaflow.api.Backend;
import io.ollamaflow.api.LogSafe;
import io.ollamaflow.api.RequestKind;
import io.ollamaflow.core.internal.BackendRequests;
import io.ollamaflow.core.internal.json.Json;
import io.ollamaflow.core.internal.proxy.PinnedProperties;
import io.ollamaflow.core.internal.routing.BackendState;
import io.ollamaflow.core.internal.routing.FrontendSnapshot;
import io.ollamaflow.core.internal.routing.RouteTable;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads each frontend's {@code PreloadModels} into memory on its Ollama backends, with Ollama's
 * load request: {@code POST /api/generate} with an empty prompt. The body gets the frontend's
 * default completion properties, then its pins and the backend's pins, as a client's request
 * would, so that the model is loaded with the context size ({@code options.num_ctx}) and
 * {@code keep_alive} that requests will ask for; a model loaded with another context size would
 * be loaded again on the first request.
 *
 * <p>A backend is asked when it is active, speaks Ollama, is routable, and its listed models
 * include the model (with model discovery off, every backend counts as holding it). Loads are
 * sent when a (frontend, backend, model) first qualifies: at startup once discovery has listed
 * the backend, after a configuration change, or after a pull brought the model; again when a
 * backend turns healthy (it may have restarted with nothing loaded); and, for frontends
 * with {@code KeepModelsLoaded}, every {@link #KEEP_LOADED_INTERVAL}, shorter than Ollama's
 * default five-minute {@code keep_alive}. An alias in {@code PreloadModels} loads its target.
 *
 * <p>Threading: every method runs on the cluster's update thread; the requests are sent
 * asynchronously by OkHttp's dispatcher, so no caller waits for a model to load.
 */
public final class ModelPreloader {
  /** How often models of frontends with {@code KeepModelsLoaded} are loaded again. */
  public static final Duration KEEP_LOADED_INTERVAL = Duration.ofMinutes(4);
  private static final Logger log = LoggerFactory.getLogger(ModelPreloader.class);
  private static final MediaType JSON = MediaType.get("application/json");
  /** How long Ollama keeps a model loaded unless told otherwise. */
  private static final Duration OLLAMA_KEEP_ALIVE = Duration.ofMinutes(5);

  private final OkHttpClient client;
  private final boolean discovery;
  private final Clock clock;
  /** Loads already sent under the current configuration; touched only on the update thread. */
  private final Set<String> asked = new HashSet<>();

  /** @param discovery whether backends' models are listed; if not, every backend may hold any model */
  public ModelPreloader(OkHttpClient client, boolean discovery, Clock clock) {
    this.discovery = discovery;
    this.clock = clock;
    // Loading a large model can take minutes before Ollama answers.
    this.client = client.newBuilder().readTimeout(Duration.ofMinutes(10)).callTimeout(Duration.ZERO).build();
  }

  /** A new snapshot was published: forgets loads no longer configured, and sends the new ones. */
  public void configurationApplied(RouteTable routes) {
    asked.retainAll(wanted(routes, null, false, true).keySet());
    sendNew(routes);
  }

  /** Sends the loads that qualify now and were not sent yet (discovery listed a backend, a pull finished). */
  public void sendNew(RouteTable routes) {
    wanted(routes, null, false, false).forEach((key, load) -> {
      if (asked.add(key)) send(load);
    });
  }

  /** A backend came back into rotation: it may have restarted, with nothing loaded. */
  public void backendHealthy(RouteTable routes, String backendId) {
    wanted(routes, backendId, false, false).forEach((key, load) -> {
      asked.add(key);
      send(load);
    });
  }

  /** The periodic ping of frontends with {@code KeepModelsLoaded}. */
  public void keepLoaded(RouteTable routes) {
    wanted(routes, null, true, false).values().forEach(this::send);
  }

  /** @param configuredOnly every configured load, whether or not its backend qualifies now */
  private Map<String, Load> wanted(RouteTable routes, String onlyBackend, boolean keepLoadedOnly,
      boolean configuredOnly) {
    Map<String, Load> loads = new LinkedHashMap<>();
    for (FrontendSnapshot snapshot : routes.frontends()) {
      if (snapshot.frontend().preloadModels().isEmpty() || !snapshot.frontend().active()) continue;
      if (keepLoadedOnly && !snapshot.frontend().keepModelsLoaded()) continue;
      for (String listed : snapshot.frontend().preloadModels()) {
        String target = snapshot.aliasTarget(listed);
        String model = target != null ? target : listed;
        for (BackendState backend : snapshot.backends()) {
          if (onlyBackend != null && !backend.backend().identifier().equals(onlyBackend)) continue;
          if (!configuredOnly && !loadable(backend, ModelNames.canonical(model))) continue;
          String key = snapshot.frontend().identifier() + "\u0000" + backend.backend().identifier() + "\u0000" + model;
          loads.put(key, new Load(snapshot, backend, model));
        }
      }
    }
    return loads;
  }

  private boolean loadable(BackendState backend, String canonical) {
    Backend config = backend.backend();
    ModelInventory inventory = backend.models().inventory();
    return config.active() && config.apiFormat().equals(ApiFormat.OLLAMA) && backend.health().state().routable()
        && (discovery ? inventory.known() && inventory.has(canonical) : !inventory.known() || inventory.has(canonical));
  }

  /** Sends one load; never throws, so that a bad backend cannot stop the update thread's schedule. */
  private void send(Load load) {
    try {
      enqueue(load);
    } catch (RuntimeException e) {
      log.warn("Preloading '{}' on backend '{}' failed: {}", LogSafe.of(load.model), load.backend.backend().identifier(),
          LogSafe.of(e.toString()));
    }
  }

  private void enqueue(Load load) {
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.put("model", load.model);
    body.put("prompt", "");
    body = PinnedProperties.layered(body, load.snapshot.defaults(RequestKind.COMPLETION),
        load.snapshot.pins(RequestKind.COMPLETION), load.backend.pins(RequestKind.COMPLETION));
    // The load is of this model whatever a pin says; a prompt would make it a generation, and a stream pointless.
    body.put("model", load.model);
    body.put("prompt", "");
    body.put("stream", false);
    byte[] bytes;
    try {
      bytes = Json.MAPPER.writeValueAsBytes(body);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    String backendId = load.backend.backend().identifier();
    Call call = client.newCall(BackendRequests.to(load.backend.backend(), "/api/generate")
        .post(RequestBody.create(bytes, JSON)).build());
    log.debug("Preloading '{}' on backend '{}' for frontend '{}'", LogSafe.of(load.model), backendId,
        load.snapshot.frontend().identifier());
    call.enqueue(new Callback() {
      @Override
      public void onResponse(Call c, Response response) {
        try (response) {
          if (response.isSuccessful()) {
            load.backend.models().markLoaded(ModelNames.canonical(load.model), clock.instant().plus(OLLAMA_KEEP_ALIVE));
          } else {
            log.info("Preloading '{}' on backend '{}' failed: it answered {}", LogSafe.of(load.model), backendId,
                response.code());
          }
        }
      }

      @Override
      public void onFailure(Call c, IOException e) {
        log.info("Preloading '{}' on backend '{}' failed: {}", LogSafe.of(load.model), backendId, LogSafe.of(e.toString()));
      }
    });
  }

  /** One load to send: the frontend whose settings shape it, the backend, and the model. */
  private record Load(FrontendSnapshot snapshot, BackendState backend, String model) {}
}
