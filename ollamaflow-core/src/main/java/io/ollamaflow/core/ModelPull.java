package io.ollamaflow.core;

import java.time.Instant;

/**
 * One model being brought to one backend because a frontend lists it in {@code RequiredModels}:
 * a snapshot of its progress, from {@link FlowCluster#modelPulls()}.
 *
 * @param status the backend's last progress message, e.g. {@code "pulling 6a0746a1ec1a"}
 * @param completed bytes done of the current layer, 0 if unknown
 * @param total bytes of the current layer, 0 if unknown
 * @param error why the pull failed; null unless {@link State#FAILED}
 */
public record ModelPull(String backendId, String model, State state, String status, long completed, long total,
    String error, Instant updatedUtc) {
  /** Where a pull stands. */
  public enum State {
    /** Waiting for a free pull slot (per backend, or in total). */
    QUEUED,
    PULLING,
    DONE,
    /** Retried at the next sync round. */
    FAILED
  }
}
