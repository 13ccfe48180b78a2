package io.ollamaflow.core.internal.proxy;

import io.ollamaflow.api.ApiFormat;
import io.ollamaflow.api.FlowException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.function.BiConsumer;

/**
 * A call as the stages after admission see it once its API key was checked: the key's headers
 * ({@code Authorization}, {@code X-Api-Key}) are gone, so no backend ever receives them; the
 * backend's own {@code BearerToken} is added as for any request.
 */
final class WithoutClientKey implements ProxyCall {
  private final ProxyCall call;

  WithoutClientKey(ProxyCall call) {
    this.call = call;
  }

  static boolean isKeyHeader(String name) {
    return name.equalsIgnoreCase(ApiKeyCheck.AUTHORIZATION) || name.equalsIgnoreCase(ApiKeyCheck.X_API_KEY);
  }

  @Override public String requestHeader(String name) { return isKeyHeader(name) ? null : call.requestHeader(name); }

  @Override
  public void forEachRequestHeader(BiConsumer<String, String> action) {
    call.forEachRequestHeader((name, value) -> {
      if (!isKeyHeader(name)) action.accept(name, value);
    });
  }

  @Override public String method() { return call.method(); }
  @Override public String rawPath() { return call.rawPath(); }
  @Override public String rawQuery() { return call.rawQuery(); }
  @Override public boolean http10() { return call.http10(); }
  @Override public InputStream requestBody() { return call.requestBody(); }
  @Override public String remoteAddress() { return call.remoteAddress(); }
  @Override public void addResponseHeader(String name, String value) { call.addResponseHeader(name, value); }
  @Override public void sendResponseHeaders(int status, long contentLength) throws IOException {
    call.sendResponseHeaders(status, contentLength);
  }
  @Override public OutputStream responseBody() { return call.responseBody(); }
  @Override public void refuse(FlowException error, ApiFormat dialect) throws IOException { call.refuse(error, dialect); }
  @Override public void sendJson(int status, byte[] json) throws IOException { call.sendJson(status, json); }
}
