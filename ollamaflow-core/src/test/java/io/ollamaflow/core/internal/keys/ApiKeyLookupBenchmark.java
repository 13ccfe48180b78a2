package io.ollamaflow.core.internal.keys;

import io.ollamaflow.api.ApiKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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
 * {@link ApiKeyIndex#find}: what every request presenting a key costs before any limit is looked
 * at, with 1 and 10,000 keys configured, for a configured key and for a wrong one. The cost should
 * not depend on the number of keys (one SHA-256, one map lookup). Run with
 * {@code bash bench/jmh.sh ApiKeyLookup}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
public class ApiKeyLookupBenchmark {
  @Param({"1", "10000"})
  public int keys;

  private ApiKeyIndex index;
  private String configured;

  @Setup
  public void setUp() {
    List<ApiKey> all = new ArrayList<>();
    for (int i = 0; i < keys; i++) {
      all.add(ApiKey.builder("k" + i).secret(secret(i)).createdUtc(Instant.EPOCH).build());
    }
    index = ApiKeyIndex.of(all, ApiKeyIndex.EMPTY);
    configured = secret(keys - 1);
  }

  private static String secret(int i) {
    return "sk-flow-benchmark-" + i + "-0123456789abcdef0123456789";
  }

  @Benchmark
  public Object configuredKey() {
    return index.find(configured);
  }

  @Benchmark
  public Object wrongKey() {
    return index.find("sk-flow-benchmark-wrong-0123456789abcdef0123456789");
  }
}
