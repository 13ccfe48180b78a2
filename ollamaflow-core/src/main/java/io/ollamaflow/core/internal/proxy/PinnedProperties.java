package io.ollamaflow.core.internal.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.Objects;

/**
 * Forces a frontend's or backend's pinned properties onto a request body. Pins win over the
 * client, and the backend's pins win over the frontend's; {@link #layered} applies every layer in
 * its order (defaults &lt; request &lt; frontend pins &lt; backend pins), the one rule for any body
 * sent to a backend.
 *
 * <p>The merge is recursive over objects only, so pinning {@code options.num_ctx} keeps the client's
 * other {@code options}. Anything else a pin names is replaced whole: arrays (a pinned {@code stop}
 * list is the list the backend gets, not a union), scalars, and JSON null, which sets the property
 * to null rather than removing it. Keys match case-sensitively, as JSON backends read them.
 *
 * <p>Threading: stateless; safe from any thread. Neither argument is modified, so the snapshot's
 * pins can be shared by concurrent requests.
 */
public final class PinnedProperties {
  private PinnedProperties() {}

  /**
   * A new body: {@code request} with {@code pins} applied. Keys the request already has keep their
   * position; keys only the pins have are appended in the pins' order.
   */
  public static ObjectNode merge(ObjectNode request, ObjectNode pins) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(pins, "pins");
    ObjectNode merged = request.deepCopy();
    apply(merged, pins);
    return merged;
  }

  /**
   * A new body: {@code request} with the {@code defaults} it lacks. Only absent keys are filled, and
   * objects present on both sides are filled recursively, so a default {@code options.num_ctx}
   * keeps the client's other options and never replaces the client's own {@code num_ctx}. A key
   * the client set, even to null or to a value of another type, stays as the client set it.
   */
  public static ObjectNode fill(ObjectNode request, ObjectNode defaults) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(defaults, "defaults");
    ObjectNode filled = request.deepCopy();
    fillGaps(filled, defaults);
    return filled;
  }

  private static void fillGaps(ObjectNode target, ObjectNode defaults) {
    for (Map.Entry<String, JsonNode> entry : defaults.properties()) {
      JsonNode current = target.get(entry.getKey());
      JsonNode value = entry.getValue();
      if (current == null) {
        target.set(entry.getKey(), value.deepCopy());
      } else if (current.isObject() && value.isObject()) {
        fillGaps((ObjectNode) current, (ObjectNode) value);
      }
    }
  }

  /**
   * Every layer in its order, the one rule for any body sent to a backend: the frontend's defaults
   * where the request left gaps, then the frontend's pins, then the backend's. May reuse
   * {@code request}.
   */
  public static ObjectNode layered(ObjectNode request, ObjectNode defaults, ObjectNode frontendPins,
      ObjectNode backendPins) {
    if (!isEmpty(defaults)) request = fill(request, defaults);
    return merge(merge(request, frontendPins), backendPins);
  }

  /** True when there is nothing to pin, so the body can be forwarded as the client sent it; null counts as empty. */
  public static boolean isEmpty(ObjectNode pins) {
    return pins == null || pins.isEmpty();
  }

  /** Applies pins to {@code target}, which the caller owns; pin values are copied so target never shares them. */
  private static void apply(ObjectNode target, ObjectNode pins) {
    for (Map.Entry<String, JsonNode> pin : pins.properties()) {
      JsonNode current = target.get(pin.getKey());
      JsonNode value = pin.getValue();
      if (value.isObject() && current != null && current.isObject()) {
        apply((ObjectNode) current, (ObjectNode) value);
      } else {
        // ObjectNode keeps insertion order, and replacing an existing key keeps its slot.
        target.set(pin.getKey(), value.deepCopy());
      }
    }
  }
}
