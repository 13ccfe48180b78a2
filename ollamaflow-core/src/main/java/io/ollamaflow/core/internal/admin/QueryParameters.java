package io.ollamaflow.core.internal.admin;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BinaryOperator;
import java.util.function.Predicate;

/**
 * A query string as its {@code name=value} parameters, in order and still percent-encoded, so
 * that values can be masked or restored one by one and the string rebuilt as it was.
 */
final class QueryParameters {
  private record Parameter(String name, String value) {}

  private final List<Parameter> parameters;

  private QueryParameters(List<Parameter> parameters) {
    this.parameters = parameters;
  }

  /** @param query without {@code ?}; null for none */
  static QueryParameters parse(String query) {
    List<Parameter> parameters = new ArrayList<>();
    if (query != null && !query.isEmpty()) {
      for (String part : query.split("&", -1)) {
        int eq = part.indexOf('=');
        parameters.add(eq < 0 ? new Parameter(part, null) : new Parameter(part.substring(0, eq), part.substring(eq + 1)));
      }
    }
    return new QueryParameters(parameters);
  }

  /** The same parameters with each value (of those that have one) replaced by {@code change(name, value)}. */
  QueryParameters mapValues(BinaryOperator<String> change) {
    List<Parameter> changed = new ArrayList<>(parameters.size());
    for (Parameter p : parameters) changed.add(p.value == null ? p : new Parameter(p.name, change.apply(p.name, p.value)));
    return new QueryParameters(changed);
  }

  /**
   * The same parameters, each shown as {@code shown(name)} allows: with its value, or with
   * {@code placeholder} for it; a parameter without a value shows {@code placeholder} for its name
   * when its name is not allowed either (a bare {@code ?sk-...} is a credential too).
   */
  QueryParameters redacted(Predicate<String> shown, String placeholder) {
    List<Parameter> changed = new ArrayList<>(parameters.size());
    for (Parameter p : parameters) {
      boolean visible = shown.test(p.name);
      changed.add(p.value == null ? (visible ? p : new Parameter(placeholder, null))
          : new Parameter(p.name, visible ? p.value : placeholder));
    }
    return new QueryParameters(changed);
  }

  /** The value of the first parameter still here with this name, which is then used up; null if none. */
  String take(String name) {
    for (int i = 0; i < parameters.size(); i++) {
      if (parameters.get(i).name.equals(name) && parameters.get(i).value != null) {
        return parameters.remove(i).value;
      }
    }
    return null;
  }

  @Override
  public String toString() {
    StringBuilder query = new StringBuilder();
    for (Parameter p : parameters) {
      if (query.length() > 0) query.append('&');
      query.append(p.name);
      if (p.value != null) query.append('=').append(p.value);
    }
    return query.toString();
  }
}
