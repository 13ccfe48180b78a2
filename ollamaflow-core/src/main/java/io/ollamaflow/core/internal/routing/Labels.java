package io.ollamaflow.core.internal.routing;

import io.ollamaflow.api.Backend;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The label filter a client asks for in a request header: a comma-separated list such as
 * {@code eu, gpu}. A backend qualifies only if it carries every label, each compared exactly but
 * ignoring case, so {@code eu} matches {@code EU} but neither {@code neu-1} nor {@code europe}.
 *
 * <p>Threading: stateless; safe from any thread.
 */
public final class Labels {
  private Labels() {}

  /**
   * The labels in a header value, trimmed, in order, without empty entries and without repeats
   * (ignoring case, the first spelling kept); empty for a null or blank value, which means no filter.
   */
  public static List<String> parse(String headerValue) {
    if (headerValue == null || headerValue.isBlank()) return List.of();
    List<String> labels = new ArrayList<>();
    for (String part : headerValue.split(",")) {
      String label = part.trim();
      // equalsIgnoreCase, as Backend.hasLabel compares, so a repeat here is a repeat there too.
      if (!label.isEmpty() && labels.stream().noneMatch(label::equalsIgnoreCase)) labels.add(label);
    }
    return List.copyOf(labels);
  }

  /** True when the backend carries every one of {@code labels}; always true for an empty list. */
  public static boolean carriesAll(Backend backend, List<String> labels) {
    Objects.requireNonNull(backend, "backend");
    for (String label : labels) {
      if (!backend.hasLabel(label)) return false;
    }
    return true;
  }
}
