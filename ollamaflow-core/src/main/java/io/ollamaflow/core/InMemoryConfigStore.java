package io.ollamaflow.core;

import io.ollamaflow.api.ApiKey;
import io.ollamaflow.api.ApiKeyUsage;
import io.ollamaflow.api.Backend;
import io.ollamaflow.api.ConfigStore;
import io.ollamaflow.api.Frontend;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link ConfigStore} held in memory, API keys included: the default store, and the reference implementation the
 * contract test is checked against. Nothing survives the process. Thread-safe, never blocks.
 */
public final class InMemoryConfigStore implements ConfigStore {
  private final ConcurrentSkipListMap<String, Frontend> frontends = new ConcurrentSkipListMap<>();
  private final ConcurrentSkipListMap<String, Backend> backends = new ConcurrentSkipListMap<>();
  private final ConcurrentSkipListMap<String, ApiKey> apiKeys = new ConcurrentSkipListMap<>();
  private final ConcurrentSkipListMap<String, ApiKeyUsage> usage = new ConcurrentSkipListMap<>();
  private final AtomicLong revision = new AtomicLong();

  @Override
  public List<Frontend> frontends() {
    return List.copyOf(frontends.values());
  }

  @Override
  public Optional<Frontend> frontend(String identifier) {
    return Optional.ofNullable(frontends.get(identifier));
  }

  @Override
  public void putFrontend(Frontend frontend) {
    frontends.put(frontend.identifier(), frontend);
    revision.incrementAndGet();
  }

  @Override
  public boolean removeFrontend(String identifier) {
    return removed(frontends.remove(Objects.requireNonNull(identifier, "identifier")));
  }

  @Override
  public List<Backend> backends() {
    return List.copyOf(backends.values());
  }

  @Override
  public Optional<Backend> backend(String identifier) {
    return Optional.ofNullable(backends.get(identifier));
  }

  @Override
  public void putBackend(Backend backend) {
    backends.put(backend.identifier(), backend);
    revision.incrementAndGet();
  }

  @Override
  public boolean removeBackend(String identifier) {
    return removed(backends.remove(Objects.requireNonNull(identifier, "identifier")));
  }

  @Override
  public List<ApiKey> apiKeys() {
    return List.copyOf(apiKeys.values());
  }

  @Override
  public Optional<ApiKey> apiKey(String identifier) {
    return Optional.ofNullable(apiKeys.get(identifier));
  }

  @Override
  public void putApiKey(ApiKey key) {
    apiKeys.put(key.identifier(), key);
    revision.incrementAndGet();
  }

  @Override
  public boolean removeApiKey(String identifier) {
    usage.remove(Objects.requireNonNull(identifier, "identifier"));
    return removed(apiKeys.remove(identifier));
  }

  @Override
  public void addApiKeyUsage(Collection<ApiKeyUsage> increments) {
    for (ApiKeyUsage increment : increments) {
      if (!apiKeys.containsKey(increment.identifier())) continue;
      usage.merge(increment.identifier(), increment, ApiKeyUsage::plus);
    }
  }

  @Override
  public List<ApiKeyUsage> apiKeyUsage() {
    return List.copyOf(usage.values());
  }

  @Override
  public long revision() {
    return revision.get();
  }

  @Override
  public void close() {}

  private boolean removed(Object previous) {
    if (previous == null) return false;
    revision.incrementAndGet();
    return true;
  }
}
