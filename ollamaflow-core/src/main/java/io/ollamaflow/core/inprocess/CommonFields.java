package io.ollamaflow.core.inprocess;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ollamaflow.core.internal.json.Json;
import io.ollamaflow.core.internal.proxy.PinnedProperties;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/** What every request type carries besides its own fields: options, keep-alive, headers, extra JSON. */
final class CommonFields {
  final ObjectNode options = Json.MAPPER.createObjectNode();
  final Map<String, String> headers = new LinkedHashMap<>();
  String keepAlive;
  ObjectNode extra;

  CommonFields copy() {
    CommonFields c = new CommonFields();
    c.options.setAll(options.deepCopy());
    c.headers.putAll(headers);
    c.keepAlive = keepAlive;
    c.extra = extra == null ? null : extra.deepCopy();
    return c;
  }

  void option(String name, Object value) {
    Objects.requireNonNull(name, "name");
    options.set(name, Json.MAPPER.valueToTree(value));
  }

  void keepAlive(Duration duration) {
    keepAlive = Objects.requireNonNull(duration, "keepAlive").toMillis() + "ms";
  }

  void header(String name, String value) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(value, "value");
    if (name.equalsIgnoreCase("Host") || name.equalsIgnoreCase("Content-Length")) {
      throw new IllegalArgumentException("header: " + name + " (expected: not Host or Content-Length; choose the"
          + " frontend with FlowCluster.inProcess(host))");
    }
    headers.put(name, value);
  }

  void extra(ObjectNode extra) {
    this.extra = Objects.requireNonNull(extra, "extra").deepCopy();
  }

  /** Adds options and keep_alive to {@code body}, then merges {@link #extra} over it
   * (objects merge, the rest replaces); {@code stream} is always the caller's choice. */
  ObjectNode finish(ObjectNode body, boolean stream) {
    if (!options.isEmpty()) body.set("options", options.deepCopy());
    if (keepAlive != null) body.put("keep_alive", keepAlive);
    if (extra != null) body = PinnedProperties.merge(body, extra);
    body.put("stream", stream); // decided by the method called, never by extra
    return body;
  }
}
