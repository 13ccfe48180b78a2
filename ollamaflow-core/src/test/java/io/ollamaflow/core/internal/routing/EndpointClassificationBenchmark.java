package io.ollamaflow.core.internal.routing;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * {@link EndpointClassifier#classify}: the first step of every proxied request. Each call classifies a
 * path String made afresh from the request line's bytes, as the HTTP parser hands it over, so its
 * hash is not cached from the previous call; the cost of making that String is included.
 * Run with {@code bash bench/jmh.sh EndpointClassification}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class EndpointClassificationBenchmark {
  /** An exact route of each dialect, and both routes with a parameter (a blob digest, a model id with slashes). */
  @Param({"ollama-chat", "openai-chat", "blob", "openai-model"})
  public String request;

  private String method;
  private byte[] rawPath;

  @Setup
  public void setUp() {
    String path;
    switch (request) {
      case "ollama-chat": method = "POST"; path = "/api/chat"; break;
      case "openai-chat": method = "POST"; path = "/v1/chat/completions"; break;
      case "blob":
        method = "HEAD";
        path = "/api/blobs/sha256:29fdb92e57cf082e3d6d9b0f0de2eeaf3a1fa5bcf3b1a2f7a3d9f2b3c7e1d4a5";
        break;
      case "openai-model": method = "GET"; path = "/v1/models/hf.co/bartowski/Llama-3.2-3B-Instruct-GGUF:Q4_K_M"; break;
      default: throw new IllegalArgumentException("unknown request " + request);
    }
    rawPath = path.getBytes(StandardCharsets.US_ASCII);
    ApiEndpoint expected = EndpointClassifier.classify(method, path);
    if (expected == null) throw new IllegalStateException(path + " is not classified");
  }

  @Benchmark
  public ApiEndpoint classify() {
    return EndpointClassifier.classify(method, new String(rawPath, StandardCharsets.US_ASCII));
  }
}
