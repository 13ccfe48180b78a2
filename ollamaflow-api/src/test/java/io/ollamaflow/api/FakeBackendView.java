package io.ollamaflow.api;

import java.util.ArrayList;
import java.util.List;

/**
 * A {@link BackendView} for balancer tests: a default {@link Backend} with the given identifier,
 * health {@link HealthStatus#unknown()}, and an active-request count the test sets. Equality is
 * identity, as for core's own views. Published in the api test-jar.
 *
 * <p>Threading: the count is volatile, so a test may change it while other threads pick.
 */
public final class FakeBackendView implements BackendView {
  private final Backend backend;
  private volatile int activeRequests;

  public FakeBackendView(String identifier) {
    this.backend = Backend.builder(identifier).build();
  }

  /** {@code count} views named {@code b0}, {@code b1}..., all idle, in a mutable list. */
  public static List<FakeBackendView> views(int count) {
    List<FakeBackendView> views = new ArrayList<>();
    for (int i = 0; i < count; i++) views.add(new FakeBackendView("b" + i));
    return views;
  }

  /** Sets the value {@link #activeRequests()} reports. */
  public FakeBackendView activeRequests(int count) {
    this.activeRequests = count;
    return this;
  }

  @Override
  public Backend backend() {
    return backend;
  }

  @Override
  public HealthStatus health() {
    return HealthStatus.unknown();
  }

  @Override
  public int activeRequests() {
    return activeRequests;
  }

  @Override
  public String toString() {
    return backend.identifier() + "(" + activeRequests + " active)";
  }
}
