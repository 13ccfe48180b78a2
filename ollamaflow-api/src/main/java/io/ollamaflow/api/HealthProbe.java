package io.ollamaflow.api;

/**
 * Makes one observation of one backend. Core owns the state machine: it applies
 * {@link Backend#healthyThreshold()} and {@link Backend#unhealthyThreshold()} to the observations
 * and decides transitions; a probe never keeps state between calls.
 *
 * <p>Threading: called on the cluster's health-check threads, one backend at a time but several
 * backends concurrently; must be thread-safe. May block up to {@link ProbeContext#timeout()}.
 * Ordinary failures (refused, timed out, bad status) are reported as
 * {@link ProbeResult#unhealthy(String)}, not thrown; an exception is treated as unhealthy too.
 */
@FunctionalInterface
public interface HealthProbe {
  ProbeResult probe(ProbeContext context);
}
