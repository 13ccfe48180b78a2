package io.ollamaflow.core.internal.proxy;

import io.ollamaflow.api.ErrorCode;
import io.ollamaflow.api.FlowException;
import io.ollamaflow.core.internal.json.Json;
import io.ollamaflow.core.internal.models.ModelNames;
import io.ollamaflow.core.internal.models.ModelNotFound;
import io.ollamaflow.core.internal.routing.BackendState;
import io.ollamaflow.core.internal.routing.FrontendSnapshot;
import io.ollamaflow.core.internal.routing.ApiEndpoint;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import okhttp3.Response;

/**
 * Model operations that keep a frontend's backends consistent: {@code DELETE /api/delete}
 * removes the model from every backend, and {@code /api/copy} copies it on every backend that
 * holds the source, so the new name exists wherever the old one does. Every eligible backend is
 * asked, not only those listed as holding the model (a listing may be seconds old); a 404 means
 * it did not hold it. The client gets 200 when at least one backend did it, Ollama's 404 when
 * none holds the model, and 502 naming the backends when the others failed.
 */
final class EveryBackend {
  private EveryBackend() {}

  static boolean handles(ApiEndpoint endpoint) {
    return endpoint == ApiEndpoint.DELETE || endpoint == ApiEndpoint.COPY;
  }

  static void serve(ProxyCall exchange, RequestState request, FrontendSnapshot snapshot, ApiEndpoint endpoint,
      List<BackendState> backends, ClientBody body) throws IOException {
    byte[] bytes;
    try (InputStream in = body.open()) {
      bytes = in.readAllBytes();
    }
    String destination = endpoint == ApiEndpoint.COPY ? Json.MAPPER.readTree(bytes).path("destination").textValue() : null;
    List<String> done = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    for (BackendState backend : backends) {
      String id = backend.backend().identifier();
      try (ClientBody copy = ClientBody.of(bytes, request.model());
          Response response = snapshot.client().newCall(UpstreamRequests.build(backend.backend(), exchange, copy)).execute()) {
        if (response.isSuccessful()) {
          done.add(id);
          if (endpoint == ApiEndpoint.DELETE) backend.models().markRemoved(ModelNames.canonical(request.model()));
          else if (destination != null) backend.models().markInstalled(ModelNames.canonical(destination));
        } else if (response.code() != 404) {
          failures.add("backend '" + id + "' answered " + response.code());
        }
      } catch (IOException e) {
        failures.add("backend '" + id + "' failed: " + IoFailures.describe(e));
      }
    }
    if (done.isEmpty() && failures.isEmpty()) {
      throw ModelNotFound.error(request.dialect(), request.model());
    }
    if (done.isEmpty()) {
      throw new FlowException(ErrorCode.BACKEND_ERROR, String.join("; ", failures));
    }
    request.backendId(String.join(",", done));
    exchange.addResponseHeader(RoutingHeaders.BACKEND, String.join(",", done));
    try {
      exchange.sendResponseHeaders(200, 0);
      request.responseStarted(200);
      OutputStream out = exchange.responseBody();
      out.flush();
    } catch (IOException e) {
      throw new ClientGoneException(e);
    }
  }
}
