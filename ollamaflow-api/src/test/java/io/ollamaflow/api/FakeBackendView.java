package io.ollamaflow.api;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A {@link BackendView} for balancer tests: a default {@link Backend} with the given identifier
 * (and weight), health {@link HealthStatus#unknown()}, and the live facts a test sets: requests in
 * flight, load from elsewhere, models in memory, limit, service and load times. Equality is
 * identity, as for core's own views. Published in the api test-jar.
 *
 * <p>Threading: the facts are volatile, so a test may change them while other threads pick.
 */
public final class FakeBackendView implements BackendView {
  private final Backend backend;
  private volatile int activeRequests;
  private volatile int externalLoad;
  private volatile int queuedRequests;
  private volatile int concurrencyLimit;
  private volatile Set<String> loaded = Set.of();
  private volatile Optional<String> evicted = Optional.empty();
  private volatile Duration serviceTime = Duration.ofMillis(200);
  private volatile Duration loadTime = Duration.ofMillis(500);
  private volatile Duration loadingFor = Duration.ZERO;
  private volatile boolean loadMeasured = true;

  public FakeBackendView(String identifier, int weight) {
    this.backend = Backend.builder(identifier).weight(weight).build();
    this.concurrencyLimit = backend.maxParallelRequests();
  }

  public FakeBackendView(String identifier) {
    this(identifier, 1);
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

  /** Sets the value {@link #queuedRequests()} reports. */
  public FakeBackendView queuedRequests(int count) {
    this.queuedRequests = count;
    return this;
  }

  /** Sets the value {@link #externalLoad()} reports. */
  public FakeBackendView externalLoad(int count) {
    this.externalLoad = count;
    return this;
  }

  /** Sets the value {@link #concurrencyLimit()} reports. */
  public FakeBackendView concurrencyLimit(int limit) {
    this.concurrencyLimit = limit;
    return this;
  }

  /** Sets the models in memory, by canonical name ({@code llama3:latest}). */
  public FakeBackendView loaded(String... models) {
    this.loaded = Set.of(models);
    return this;
  }

  /** Sets the model a load here would unload ({@link #evictedByLoad()}), by canonical name. */
  public FakeBackendView evicts(String model) {
    this.evicted = Optional.of(model);
    return this;
  }

  public FakeBackendView serviceTime(Duration time) {
    this.serviceTime = time;
    return this;
  }

  /** No load was measured here: {@link #measuredLoadTime()} is empty, {@link #typicalLoadTime()} the API's guess. */
  public FakeBackendView loadNotMeasured() {
    this.loadMeasured = false;
    return this;
  }

  /** Sets what {@link #loadingFor()} reports: the rest of a load under way there. */
  public FakeBackendView loadingFor(Duration left) {
    this.loadingFor = left;
    return this;
  }

  public FakeBackendView loadTime(Duration time) {
    this.loadTime = time;
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
  public int queuedRequests() {
    return queuedRequests;
  }

  @Override
  public int externalLoad() {
    return externalLoad;
  }

  @Override
  public int concurrencyLimit() {
    return concurrencyLimit;
  }

  @Override
  public Set<String> loadedModels() {
    return loaded;
  }

  /** Matches a name without a tag to {@code :latest}, as Ollama does; case as given. */
  @Override
  public boolean hasLoaded(String model) {
    return loaded.contains(model.contains(":") ? model : model + ":latest");
  }

  @Override
  public Optional<String> evictedByLoad() {
    return evicted;
  }

  @Override
  public Optional<Duration> measuredLoadTime() {
    return loadMeasured ? Optional.of(loadTime) : Optional.empty();
  }

  @Override
  public Duration loadingFor() {
    return loadingFor;
  }

  @Override
  public Duration typicalServiceTime() {
    return serviceTime;
  }

  @Override
  public Duration typicalLoadTime() {
    return loadMeasured ? loadTime : BackendView.super.typicalLoadTime();
  }

  @Override
  public String toString() {
    return backend.identifier() + "(" + activeRequests + " active)";
  }
}
