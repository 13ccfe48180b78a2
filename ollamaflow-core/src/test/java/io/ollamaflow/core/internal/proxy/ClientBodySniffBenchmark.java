package io.ollamaflow.core.internal.proxy;

import io.ollamaflow.api.Frontend;
import io.ollamaflow.core.internal.routing.ApiEndpoint.ModelField;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Random;
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
 * {@link ClientBody#sniffModel}: reading a chat body until its top-level {@code model}, with the
 * body's Content-Length declared, and closing the result as the proxy does. A model named last
 * makes the parser scan, and the prefix keep, the whole body.
 * Run with {@code bash bench/jmh.sh ClientBodySniff}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class ClientBodySniffBenchmark {
  private static final BodySpool SPOOL = new BodySpool(null, Long.MAX_VALUE / 2, Long.MAX_VALUE / 2);
  private static final String MODEL = "llama3.1:8b-instruct-q4_K_M";
  private static final int LARGE_BYTES = 200 * 1024;
  private static final String[] WORDS = {"the", "model", "returns", "a", "stream", "of", "tokens", "while", "backend",
    "GPU", "memory", "is", "loaded", "with", "context", "window", "and", "prompt", "cache", "résumé", "naïve", "über"};

  /** About 550 bytes, model first; the same, model last; about 200 KB of conversation, model last. */
  @Param({"small-model-first", "small-model-last", "large-model-last"})
  public String body;

  private byte[] bytes;
  private long limit;

  @Setup
  public void setUp() throws IOException {
    String messages;
    boolean modelFirst;
    switch (body) {
      case "small-model-first": messages = messages(2, 150); modelFirst = true; break;
      case "small-model-last": messages = messages(2, 150); modelFirst = false; break;
      case "large-model-last": messages = messages(LARGE_BYTES / 1000, 950); modelFirst = false; break;
      default: throw new IllegalArgumentException("unknown body " + body);
    }
    String model = "\"model\":\"" + MODEL + "\"";
    String rest = "\"messages\":" + messages + ",\"stream\":true,\"options\":{\"temperature\":0.2,\"num_ctx\":8192}";
    bytes = ("{" + (modelFirst ? model + "," + rest : rest + "," + model) + "}").getBytes(StandardCharsets.UTF_8);
    limit = Frontend.DEFAULT_MAX_REQUEST_BODY_SIZE;
    try (ClientBody sniffed = sniff()) {
      if (!MODEL.equals(sniffed.model())) throw new IllegalStateException("sniffed " + sniffed.model());
    }
  }

  /** A system prompt then {@code turns} user and assistant messages of about {@code chars} characters each. */
  private static String messages(int turns, int chars) {
    Random random = new Random(turns);
    StringBuilder sb = new StringBuilder("[{\"role\":\"system\",\"content\":\"You are a concise assistant.\"}");
    for (int i = 0; i < turns; i++) {
      sb.append(",{\"role\":\"").append(i % 2 == 0 ? "user" : "assistant").append("\",\"content\":\"");
      int start = sb.length();
      while (sb.length() - start < chars) {
        sb.append(WORDS[random.nextInt(WORDS.length)]);
        int r = random.nextInt(20);
        sb.append(r == 0 ? "\\n" : r == 1 ? ". \\\"" : " ");
      }
      sb.append("\"}");
    }
    return sb.append(']').toString();
  }

  private ClientBody sniff() throws IOException {
    return ClientBody.sniffModel(new ByteArrayInputStream(bytes), limit, bytes.length, ModelField.MODEL, SPOOL, null);
  }

  @Benchmark
  public String sniffModel() throws IOException {
    try (ClientBody sniffed = sniff()) {
      return sniffed.model();
    }
  }
}
