package io.ollamaflow.core.internal.metrics;

import io.ollamaflow.api.RequestInfo;
import io.ollamaflow.api.RequestKind;

/** A chat as the proxy reports it to the metrics: answered by {@code backendId} (null: none), 7 tokens in, 3 out. */
record ChatRequest(String model, String backendId, int status) implements RequestInfo {
  @Override public String requestId() { return "r"; }
  @Override public String method() { return "POST"; }
  @Override public String path() { return "/api/chat"; }
  @Override public String clientAddress() { return "127.0.0.1"; }
  @Override public String frontendId() { return "f1"; }
  @Override public RequestKind kind() { return RequestKind.CHAT; }
  @Override public long elapsedNanos() { return 2_000_000; }
  @Override public long firstByteNanos() { return 1_000_000; }
  @Override public long inputTokens() { return 7; }
  @Override public long outputTokens() { return 3; }
}
