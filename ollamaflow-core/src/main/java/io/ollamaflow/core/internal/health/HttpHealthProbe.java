package io.ollamaflow.core.internal.health;

import io.ollamaflow.api.Backend;
import io.ollamaflow.api.HealthProbe;
import io.ollamaflow.api.ProbeContext;
import io.ollamaflow.api.ProbeResult;
import io.ollamaflow.core.internal.BackendRequests;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * The built-in probe: sends the backend's {@code HealthCheckMethod} to its {@code HealthCheckUrl}
 * with its bearer token, headers and query string; any 2xx answer is healthy.
 */
public final class HttpHealthProbe implements HealthProbe {
  private final OkHttpClient client;
  private final Map<Duration, OkHttpClient> clientsByTimeout = new ConcurrentHashMap<>();

  public HttpHealthProbe(OkHttpClient client) {
    this.client = client;
  }

  @Override
  public ProbeResult probe(ProbeContext context) {
    Backend backend = context.backend();
    Request.Builder request = BackendRequests.to(backend, backend.healthCheckUrl()).method(backend.healthCheckMethod(), null);
    String what = backend.healthCheckMethod() + " " + backend.healthCheckUrl();
    OkHttpClient timed = clientsByTimeout.computeIfAbsent(context.timeout(),
        t -> client.newBuilder().callTimeout(t).build());
    try (Response response = timed.newCall(request.build()).execute()) {
      return response.isSuccessful() ? ProbeResult.healthy()
          : ProbeResult.unhealthy(what + " answered " + response.code());
    } catch (IOException e) {
      return ProbeResult.unhealthy(what + " failed: " + e.getMessage());
    }
  }
}
