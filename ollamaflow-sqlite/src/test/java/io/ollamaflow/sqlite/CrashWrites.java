package io.ollamaflow.sqlite;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ollamaflow.api.ApiFormat;
import io.ollamaflow.api.Backend;
import io.ollamaflow.api.Frontend;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The writes of the crash test, numbered: write {@code i} of trial {@code t} is always the same
 * object, so the test can tell exactly what every acknowledged write must have stored. Even
 * numbers are backends, odd numbers frontends; both carry values that are easy to damage
 * (quotes, comment markers, non-ASCII text, nested JSON, secrets).
 */
final class CrashWrites {
  private static final Instant EPOCH = Instant.parse("2025-01-01T00:00:00Z");

  private CrashWrites() {}

  static String id(int trial, int write) {
    return (write % 2 == 0 ? "b" : "f") + "-" + trial + "-" + write;
  }

  static void apply(SqliteConfigStore store, int trial, int write) {
    if (write % 2 == 0) {
      store.putBackend(backend(trial, write));
    } else {
      store.putFrontend(frontend(trial, write));
    }
  }

  /** The object write {@code i} stored, as read back from the store; empty if it is not there. */
  static Object read(SqliteConfigStore store, int trial, int write) {
    String id = id(trial, write);
    return write % 2 == 0 ? store.backend(id).orElse(null) : store.frontend(id).orElse(null);
  }

  static Object expected(int trial, int write) {
    return write % 2 == 0 ? backend(trial, write) : frontend(trial, write);
  }

  static Backend backend(int trial, int write) {
    String tag = trial + "/" + write;
    return Backend.builder(id(trial, write))
        .name("it's \"" + tag + "\" -- /* ünïcødé 日本 */")
        .hostname("10.0." + trial + "." + (write % 250))
        .port(1 + (trial * 1000 + write) % 65535)
        .ssl(write % 4 == 0)
        .apiFormat(write % 3 == 0 ? ApiFormat.OPENAI : ApiFormat.OLLAMA)
        .labels(List.of("gpu", "trial-" + trial, "w'" + write))
        .pinnedCompletionsProperties(pins(tag))
        .bearerToken("sk-" + tag.replace('/', '-'))
        .headers(Map.of("X-Write", tag, "X-Api-Key", "key-" + write))
        .querystring("trial=" + trial + "&write=" + write)
        .createdUtc(EPOCH.plusNanos(1000L * (trial * 100_000L + write)))
        .build();
  }

  static Frontend frontend(int trial, int write) {
    String tag = trial + "/" + write;
    return Frontend.builder(id(trial, write))
        .name("frontend " + tag + " 😀")
        .hostname("host-" + trial + "-" + write + ".example")
        .backends(List.of(id(trial, write - 1), "b-shared"))
        .requiredModels(List.of("qwen--coder:" + write, "llama3"))
        .useStickySessions(write % 3 == 0)
        .pinnedEmbeddingsProperties(pins(tag))
        .timeoutMs(1000 + write)
        .createdUtc(EPOCH.plusNanos(1000L * (trial * 100_000L + write)))
        .build();
  }

  private static ObjectNode pins(String tag) {
    ObjectNode pins = JsonNodeFactory.instance.objectNode();
    pins.put("tag", tag);
    pins.putObject("options").put("num_ctx", 2048).put("stop", "--'");
    pins.putArray("stop").add("/*").add(tag);
    return pins;
  }
}
