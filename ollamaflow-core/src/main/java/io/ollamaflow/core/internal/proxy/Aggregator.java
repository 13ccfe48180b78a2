package io.ollamaflow.core.internal.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ollamaflow.api.ErrorCode;
import io.ollamaflow.api.FlowException;
import io.ollamaflow.api.Frontend;
import io.ollamaflow.core.internal.json.Json;
import io.ollamaflow.core.internal.models.ModelNames;
import io.ollamaflow.core.internal.routing.BackendState;
import io.ollamaflow.core.internal.routing.FrontendSnapshot;
import io.ollamaflow.core.internal.routing.ApiEndpoint;
import io.ollamaflow.core.internal.translation.TranslatorRegistry;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Answers the listing routes for a whole frontend: {@code /api/tags} and {@code /v1/models} are
 * the union of its backends' models, {@code /api/ps} the union of loaded models, and
 * {@code /api/version} the lowest version among them (what every backend supports), counting
 * OpenAI-format backends' emulated version only when no Ollama server answered. The backends
 * are asked in parallel; one that fails or is slow is left out, and only when none answers is
 * the request refused.
 */
final class Aggregator {
  private static final long MAX_WAIT_MS = 10_000;

  private Aggregator() {}

  static boolean handles(ApiEndpoint endpoint) {
    return endpoint == ApiEndpoint.TAGS || endpoint == ApiEndpoint.PS || endpoint == ApiEndpoint.VERSION
        || endpoint == ApiEndpoint.OPENAI_MODELS;
  }

  static void serve(ProxyCall exchange, RequestState request, FrontendSnapshot snapshot, ApiEndpoint endpoint,
      List<BackendState> backends, TranslatorRegistry translators) throws IOException, InterruptedException {
    List<Answer> answers = askAll(exchange, snapshot, backends, new Translations(translators, request, null));
    List<Answer> good = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    for (Answer answer : answers) {
      if (answer.json != null) good.add(answer);
      else failures.add(answer.failure);
    }
    if (good.isEmpty()) {
      throw new FlowException(ErrorCode.BACKEND_ERROR, "no backend of frontend '" + snapshot.frontend().identifier()
          + "' answered " + endpoint.path() + ": " + String.join("; ", failures));
    }
    ObjectNode merged = merge(endpoint, good);
    if (endpoint == ApiEndpoint.TAGS) configure(merged, "models", snapshot.frontend());
    if (endpoint == ApiEndpoint.OPENAI_MODELS) configure(merged, "data", snapshot.frontend());
    if (endpoint != ApiEndpoint.VERSION) {
      onlyUsable(merged, endpoint == ApiEndpoint.OPENAI_MODELS ? "data" : "models", snapshot, request.keyUse());
    }
    byte[] body = Json.MAPPER.writeValueAsBytes(merged);
    List<String> ids = new ArrayList<>();
    for (Answer answer : good) ids.add(answer.backend.backend().identifier());
    request.backendId(String.join(",", ids));
    exchange.addResponseHeader(RoutingHeaders.BACKEND, String.join(",", ids));
    try {
      request.responseStarted(200);
      exchange.sendJson(200, body);
    } catch (IOException e) {
      throw new ClientGoneException(e);
    }
  }

  /** Each backend is asked in its own dialect; the answers of other dialects are translated to the client's. */
  private static List<Answer> askAll(ProxyCall exchange, FrontendSnapshot snapshot, List<BackendState> backends,
      Translations translations) throws IOException, InterruptedException {
    List<Answer> answers = new ArrayList<>();
    CountDownLatch done = new CountDownLatch(backends.size());
    long waitMs = snapshot.frontend().timeoutMs() == 0 ? MAX_WAIT_MS : Math.min(MAX_WAIT_MS, snapshot.frontend().timeoutMs());
    for (BackendState backend : backends) {
      Translations.Translated translated = translations.forBackend(backend);
      Answer answer = new Answer(backend, translated != null);
      answers.add(answer);
      Request request = translated == null ? UpstreamRequests.build(backend.backend(), exchange, null, "GET")
          : UpstreamRequests.build(backend.backend(), exchange, translated.request.method(), translated.request.path(),
              null);
      // The answers are parsed here, not relayed: let OkHttp negotiate compression and undo it.
      Call call = snapshot.client().newCall(request.newBuilder().removeHeader("Accept-Encoding").build());
      call.timeout().timeout(waitMs, TimeUnit.MILLISECONDS);
      call.enqueue(new Callback() {
        @Override
        public void onResponse(Call c, Response response) {
          try (response) {
            if (response.isSuccessful()) {
              JsonNode json = Json.MAPPER.readTree(response.body().byteStream());
              answer.json = translated == null || !json.isObject() ? json
                  : translated.translator.translateResponse(translated.context, (ObjectNode) json);
            } else {
              answer.failure = answer.name() + " answered " + response.code();
            }
          } catch (IOException | RuntimeException e) {
            answer.failure = answer.name() + " failed: " + IoFailures.describe(e);
          } finally {
            done.countDown();
          }
        }

        @Override
        public void onFailure(Call c, IOException e) {
          answer.failure = answer.name() + " failed: " + IoFailures.describe(e);
          done.countDown();
        }
      });
    }
    done.await(waitMs + 1000, TimeUnit.MILLISECONDS);
    return answers;
  }

  private static ObjectNode merge(ApiEndpoint endpoint, List<Answer> answers) {
    ObjectNode merged = Json.MAPPER.createObjectNode();
    switch (endpoint) {
      case VERSION:
        // A translated answer is the version we emulate; it counts only when no Ollama server answered.
        String lowest = lowestVersion(answers, false);
        merged.put("version", lowest != null ? lowest : lowestVersion(answers, true));
        return merged;
      case OPENAI_MODELS:
        merged.put("object", "list");
        merged.set("data", union(answers, "data", "id"));
        return merged;
      default:
        merged.set("models", union(answers, "models", "model"));
        return merged;
    }
  }

  private static String lowestVersion(List<Answer> answers, boolean translated) {
    String lowest = null;
    for (Answer a : answers) {
      String version = a.translated == translated ? a.json.path("version").textValue() : null;
      if (version != null && (lowest == null || Versions.compare(version, lowest) < 0)) lowest = version;
    }
    return lowest;
  }

  /** The entries of every answer's array, each model once (first answer wins), by canonical name. */
  private static ArrayNode union(List<Answer> answers, String arrayField, String nameField) {
    ArrayNode union = Json.MAPPER.createArrayNode();
    Set<String> seen = new HashSet<>();
    for (Answer answer : answers) {
      for (JsonNode entry : answer.json.path(arrayField)) {
        String name = entry.path(nameField).textValue();
        if (name == null) name = entry.path("name").textValue();
        if (name == null || seen.add(ModelNames.canonical(name))) union.add(entry);
      }
    }
    return union;
  }

  /**
   * Applies the frontend's model settings to a merged listing: each alias whose target is listed
   * appears as a copy of the target's entry under the alias's name, and with
   * {@code ListConfiguredModelsOnly} only models named in RequiredModels or ModelAliases (alias
   * or target) remain.
   */
  static void configure(ObjectNode listing, String arrayField, Frontend frontend) {
    if (frontend.modelAliases().isEmpty() && !frontend.listConfiguredModelsOnly()) return;
    JsonNode entries = listing.path(arrayField);
    if (!entries.isArray()) return;
    Map<String, JsonNode> byName = new LinkedHashMap<>();
    for (JsonNode entry : entries) {
      String name = entryName(entry);
      if (name != null) byName.putIfAbsent(ModelNames.canonical(name), entry);
    }
    ArrayNode result = Json.MAPPER.createArrayNode();
    Set<String> configured = new HashSet<>();
    frontend.requiredModels().forEach(m -> configured.add(ModelNames.canonical(m)));
    frontend.modelAliases().forEach((alias, target) -> {
      configured.add(ModelNames.canonical(alias));
      configured.add(ModelNames.canonical(target));
    });
    Set<String> listed = new HashSet<>();
    for (JsonNode entry : entries) {
      String name = entryName(entry);
      String canonical = name == null ? null : ModelNames.canonical(name);
      if (frontend.listConfiguredModelsOnly() && (canonical == null || !configured.contains(canonical))) continue;
      result.add(entry);
      if (canonical != null) listed.add(canonical);
    }
    frontend.modelAliases().forEach((alias, target) -> {
      JsonNode targetEntry = byName.get(ModelNames.canonical(target));
      if (targetEntry == null || !targetEntry.isObject() || !listed.add(ModelNames.canonical(alias))) return;
      ObjectNode copy = ((ObjectNode) targetEntry).deepCopy();
      for (String field : List.of("name", "model", "id")) {
        if (copy.has(field)) copy.put(field, alias);
      }
      result.add(copy);
    });
    listing.set(arrayField, result);
  }

  /** Leaves out the models the request's API key may not use: a key sees only what it can ask for. */
  private static void onlyUsable(ObjectNode listing, String arrayField, FrontendSnapshot snapshot,
      ApiKeyCheck.Admitted key) {
    if (key == ApiKeyCheck.Open.INSTANCE || !listing.path(arrayField).isArray()) return;
    ArrayNode usable = Json.MAPPER.createArrayNode();
    for (JsonNode entry : listing.path(arrayField)) {
      String name = entryName(entry);
      if (name != null && key.mayUse(name, snapshot.aliasTarget(name))) usable.add(entry);
    }
    listing.set(arrayField, usable);
  }

  private static String entryName(JsonNode entry) {
    String name = entry.path("id").textValue();
    if (name == null) name = entry.path("model").textValue();
    if (name == null) name = entry.path("name").textValue();
    return name;
  }

  /** One backend's answer: its JSON, or why there is none. Written by OkHttp's thread, read after the latch. */
  private static final class Answer {
    final BackendState backend;
    /** Whether the backend speaks another dialect and its answer was translated. */
    final boolean translated;
    volatile JsonNode json;
    volatile String failure;

    Answer(BackendState backend, boolean translated) {
      this.backend = backend;
      this.translated = translated;
      this.failure = name() + " did not answer in time";
    }

    String name() {
      return "backend '" + backend.backend().identifier() + "'";
    }
  }
}
