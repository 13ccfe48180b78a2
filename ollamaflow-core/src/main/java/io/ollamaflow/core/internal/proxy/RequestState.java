package io.ollamaflow.core.internal.proxy;

import io.ollamaflow.api.ApiFormat;
import io.ollamaflow.api.FlowException;
import io.ollamaflow.api.Frontend;
import io.ollamaflow.api.PickContext;
import io.ollamaflow.api.RequestInfo;
import io.ollamaflow.api.RequestKind;
import io.ollamaflow.core.internal.models.ModelDemand;
import io.ollamaflow.core.internal.models.ModelNames;
import io.ollamaflow.core.internal.routing.AnswerTimings;
import io.ollamaflow.core.internal.routing.FrontendSnapshot;
import io.ollamaflow.core.internal.routing.ApiEndpoint;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One request as it advances through the proxy: what listeners see and what balancers are asked
 * with. Confined to the request's thread.
 */
final class RequestState implements RequestInfo, PickContext {
  private final long startNanos = System.nanoTime();
  private final String requestId = newRequestId();
  private final ProxyCall exchange;
  private final List<String> stickyHeaders;
  private final ModelDemand demand;
  private ApiEndpoint endpoint;
  private FrontendSnapshot snapshot;
  private String model;
  private String aliasOf;
  private String backendId;
  private int status;
  private String selectedBy;
  private String affinityKey;
  private boolean coldLoad;
  private boolean responseStarted;
  private long firstByteNanos = -1;
  private FlowException midResponseFailure;
  private AnswerTimings answered = AnswerTimings.NONE;
  private ApiKeyCheck.Admitted keyUse = ApiKeyCheck.Open.INSTANCE;
  private BodyExcerpt loggedRequestBody;

  RequestState(ProxyCall exchange, List<String> stickyHeaders, ModelDemand demand) {
    this.exchange = exchange;
    this.stickyHeaders = stickyHeaders;
    this.demand = demand;
  }

  /** 16 hex digits: unique enough to find a request in the logs, and cheap to make. */
  private static String newRequestId() {
    String hex = Long.toHexString(ThreadLocalRandom.current().nextLong());
    return "0".repeat(16 - hex.length()) + hex;
  }

  void endpoint(ApiEndpoint endpoint) { this.endpoint = endpoint; }
  ApiEndpoint endpoint() { return endpoint; }
  void frontendSnapshot(FrontendSnapshot snapshot) { this.snapshot = snapshot; }
  FrontendSnapshot frontendSnapshot() { return snapshot; }
  void model(String model) { this.model = model; }
  /** The alias the client named, when {@link #model()} is its target from ModelAliases; else null. */
  void aliasOf(String alias) { this.aliasOf = alias; }
  String aliasOf() { return aliasOf; }
  void backendId(String backendId) { this.backendId = backendId; }
  /** How the backend was chosen, for listeners: the policy name, or "sticky". */
  void selectedBy(String selectedBy) { this.selectedBy = selectedBy; }
  String selectedBy() { return selectedBy; }
  /** A key (a blob digest) that must lead to the same backend each time; null if none. */
  void affinityKey(String affinityKey) { this.affinityKey = affinityKey; }
  String affinityKey() { return affinityKey; }
  /** True when the chosen backend was known not to have the model in memory. */
  void coldLoad(boolean coldLoad) { this.coldLoad = coldLoad; }
  @Override public boolean coldLoad() { return coldLoad; }
  /** What the backend reported of its answer: durations and token counts. */
  void answered(AnswerTimings timings) { this.answered = timings; }
  /** What the request's API key does during and after it; {@code Open} when no key applies. */
  void keyUse(ApiKeyCheck.Admitted keyUse) { this.keyUse = keyUse; }
  ApiKeyCheck.Admitted keyUse() { return keyUse; }
  /** The start of the body the client sent, kept for {@link BodyLog}; null when it is not logged. */
  void loggedRequestBody(BodyExcerpt excerpt) { this.loggedRequestBody = excerpt; }
  BodyExcerpt loggedRequestBody() { return loggedRequestBody; }

  void responseStarted(int status) {
    this.status = status;
    this.responseStarted = true;
    if (firstByteNanos < 0) firstByteNanos = System.nanoTime() - startNanos;
  }

  boolean responseStarted() { return responseStarted; }

  /**
   * The backend failed after the answer began, and the client was told inside the stream: the
   * request is reported failed, once, when it ends (not also as finished).
   */
  void failedMidResponse(FlowException failure) { this.midResponseFailure = failure; }
  FlowException midResponseFailure() { return midResponseFailure; }

  /** The dialect errors are written in: the endpoint's, else guessed from the path. */
  ApiFormat dialect() {
    if (endpoint != null) return endpoint.format();
    return exchange.rawPath().startsWith("/v1/") ? ApiFormat.OPENAI : ApiFormat.OLLAMA;
  }

  @Override public String requestId() { return requestId; }
  @Override public String method() { return exchange.method(); }
  @Override public String path() { return exchange.rawPath(); }
  @Override public String clientAddress() { return exchange.remoteAddress(); }
  @Override public String frontendId() { return snapshot == null ? null : snapshot.frontend().identifier(); }
  @Override public RequestKind kind() { return endpoint == null ? null : endpoint.kind(); }
  @Override public String model() { return model; }
  @Override public String backendId() { return backendId; }
  @Override public int status() { return status; }
  @Override public long elapsedNanos() { return System.nanoTime() - startNanos; }
  @Override public long firstByteNanos() { return firstByteNanos; }
  @Override public boolean sticky() { return Selector.STICKY.equals(selectedBy); }
  @Override public long inputTokens() { return answered.inputTokens(); }
  @Override public long outputTokens() { return answered.outputTokens(); }
  @Override public long generationNanos() { return answered.evalNanos(); }
  @Override public long modelLoadNanos() { return answered.loadNanos(); }
  @Override public Frontend frontend() { return snapshot.frontend(); }
  @Override public String header(String name) { return exchange.requestHeader(name); }
  @Override public long demand(String model) { return demand.of(ModelNames.canonical(model)); }

  /** Every value of a request header, however many lines it came in, joined with commas (RFC 9110 5.3). */
  String headerValues(String name) {
    StringBuilder values = new StringBuilder();
    exchange.forEachRequestHeader((n, v) -> {
      if (!n.equalsIgnoreCase(name)) return;
      if (values.length() > 0) values.append(',');
      values.append(v);
    });
    return values.length() == 0 ? null : values.toString();
  }

  @Override
  public String clientKey() {
    for (String name : stickyHeaders) {
      String value = exchange.requestHeader(name);
      if (value != null && !value.isBlank()) return value.trim();
    }
    return exchange.remoteAddress();
  }
}
