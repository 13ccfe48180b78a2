package io.ollamaflow.core.internal.http1;

/**
 * What the accept loop does after {@code accept()} fails (typically: the process is out of file
 * descriptors, and every retry fails the same way until a connection closes). It waits longer
 * after each failure in a row, and reports at most once per interval, with how many failures the
 * report covers, so the log does not fill with one warning per retry.
 */
final class AcceptBackoff {
  static final long FIRST_PAUSE_MS = 10;
  static final long MAX_PAUSE_MS = 1_000;
  static final long REPORT_INTERVAL_NANOS = 10_000_000_000L;

  /** After one failure: how long to pause, and whether to report now the failures since the last report. */
  record Step(long pauseMs, boolean report, int failuresToReport) {}

  private long pauseMs;
  private long lastReportNanos;
  private boolean reportedOnce;
  private int unreported;

  /** @param nowNanos {@link System#nanoTime()}, or a test's clock */
  Step failed(long nowNanos) {
    pauseMs = pauseMs == 0 ? FIRST_PAUSE_MS : Math.min(MAX_PAUSE_MS, pauseMs * 2);
    unreported++;
    if (reportedOnce && nowNanos - lastReportNanos < REPORT_INTERVAL_NANOS) return new Step(pauseMs, false, 0);
    reportedOnce = true;
    lastReportNanos = nowNanos;
    int failures = unreported;
    unreported = 0;
    return new Step(pauseMs, true, failures);
  }

  /** A connection was accepted: the next failure starts with a short pause again. */
  void succeeded() {
    pauseMs = 0;
  }
}
