package io.ollamaflow.core.internal.routing;

import io.ollamaflow.api.Frontend;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * {@link RouteTable#match}: Host header to frontend, on a table of 50 frontends (49 host names and
 * the catch-all {@code *}) built the way {@code ClusterState} builds it. Each call matches a Host
 * value made afresh from the header's bytes, as the HTTP parser hands it over.
 * Run with {@code bash bench/jmh.sh FrontendMatch}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class FrontendMatchBenchmark {
  private static final int HOSTS = 49;

  /** A host name as configured; one with a port and other letter case; one no frontend names (the catch-all serves it). */
  @Param({"exact", "port-mixed-case", "catch-all"})
  public String host;

  private OkHttpClient client;
  private RouteTable table;
  private byte[] hostHeader;
  private FrontendSnapshot expected;

  @Setup
  public void setUp() {
    client = new OkHttpClient();
    Map<String, FrontendSnapshot> byHost = new HashMap<>();
    List<FrontendSnapshot> all = new ArrayList<>();
    FrontendSnapshot catchAll = snapshot(Frontend.builder("any").build());
    all.add(catchAll);
    for (int i = 0; i < HOSTS; i++) {
      FrontendSnapshot snapshot = snapshot(Frontend.builder("team-" + i).hostname("llm-team-" + i + ".inference.example.com").build());
      byHost.put(RouteTable.key(snapshot.frontend()), snapshot);
      all.add(snapshot);
    }
    table = new RouteTable(byHost, catchAll, all);

    String header;
    switch (host) {
      case "exact": header = "llm-team-17.inference.example.com"; expected = byHost.get(header); break;
      case "port-mixed-case":
        header = "LLM-Team-17.Inference.Example.com:11434";
        expected = byHost.get("llm-team-17.inference.example.com");
        break;
      case "catch-all": header = "llm-team-99.inference.example.com:8080"; expected = catchAll; break;
      default: throw new IllegalArgumentException("unknown host " + host);
    }
    hostHeader = header.getBytes(StandardCharsets.US_ASCII);
    if (table.match(header) != expected) throw new IllegalStateException(header + " matched the wrong frontend");
  }

  private FrontendSnapshot snapshot(Frontend frontend) {
    return new FrontendSnapshot(frontend, List.of(), BuiltInBalancers.ROUND_ROBIN.newLoadBalancer(frontend),
        Frontend.ROUND_ROBIN, client);
  }

  @TearDown
  public void tearDown() {
    client.dispatcher().executorService().shutdown();
    client.connectionPool().evictAll();
  }

  @Benchmark
  public FrontendSnapshot match() {
    return table.match(new String(hostHeader, StandardCharsets.US_ASCII));
  }
}
