package io.ollamaflow.core.internal.routing;

import io.ollamaflow.api.BackendView;
import java.util.List;

/** Choosing by {@code Weight}: the candidate that a position in {@code [0, total)} falls on. */
final class Weights {
  private Weights() {}

  static long total(List<BackendView> candidates) {
    long total = 0;
    for (BackendView candidate : candidates) total += candidate.backend().weight();
    return total;
  }

  /**
   * The candidate owning {@code position} when each takes as many consecutive positions as its
   * weight, in the candidates' order.
   *
   * @param position in {@code [0, total(candidates))}
   */
  static BackendView at(List<BackendView> candidates, long position) {
    for (BackendView candidate : candidates) {
      position -= candidate.backend().weight();
      if (position < 0) return candidate;
    }
    return candidates.get(candidates.size() - 1);
  }
}
