package io.ollamaflow.examples.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ollamaflow.api.ApiFormat;
import io.ollamaflow.api.Backend;
import io.ollamaflow.api.Frontend;
import io.ollamaflow.core.FlowCluster;
import io.ollamaflow.core.InMemoryConfigStore;
import io.ollamaflow.core.http.FlowHttpServer;
import io.ollamaflow.examples.sim.SimulatedOllama;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The benchmark's own client, load generator and stamped backend, against real loopback HTTP. */
class BenchHarnessTest {
  private static final byte[] CHAT = ("{\"model\":\"llama3:latest\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
      + "\"stream\":false}").getBytes(StandardCharsets.UTF_8);

  @Test
  void keepAliveClientReadsNonStreamingAndStreamingAnswers() throws Exception {
    try (SimulatedOllama sim = SimulatedOllama.builder().tokenDelay(Duration.ZERO).tokens(5).start();
        HttpConn c = new HttpConn(sim.port(), 10_000)) {
      HttpConn.Response r = new HttpConn.Response();
      for (int i = 0; i < 3; i++) {
        c.send(HttpConn.request("POST", "/api/chat", "x", "application/json", CHAT));
        c.read(null, r);
        assertEquals(200, r.status);
        assertTrue(r.bodyBytes > 0 && r.keepAlive);
      }
      List<String> lines = new ArrayList<>();
      c.send(HttpConn.request("POST", "/api/chat", "x", "application/json",
          new String(CHAT, StandardCharsets.UTF_8).replace("false", "true").getBytes(StandardCharsets.UTF_8)));
      c.read(new HttpConn.LineSink() {
        @Override
        void line(byte[] bytes, int len, long arrivalNanos) {
          lines.add(new String(bytes, 0, len, StandardCharsets.UTF_8));
        }
      }, r);
      assertEquals(200, r.status);
      assertTrue(lines.size() >= 5, lines.toString());
      assertTrue(lines.get(lines.size() - 1).contains("\"done\":true"));
    }
  }

  @Test
  void openLoopRunIsBoundedAndCountsEveryScheduledRequest() throws Exception {
    try (SimulatedOllama sim = SimulatedOllama.builder().tokenDelay(Duration.ZERO).start()) {
      byte[] req = HttpConn.request("POST", "/api/chat", "x", "application/json", CHAT);
      long t0 = System.nanoTime();
      LoadGen.Result r = LoadGen.run(sim.port(), req, 2, 200, 0.5);
      assertTrue(System.nanoTime() - t0 < 10_000_000_000L);
      assertEquals(100, r.scheduled);
      assertEquals(0, r.errors);
      assertEquals(100, r.latencies.length);
      assertTrue(r.percentile(0.5) > 0 && r.percentile(0.5) <= r.percentile(0.99));
    }
  }

  @Test
  void stampedBackendStampsEveryChunkWithTheSharedClock() throws Exception {
    try (StampedStreamBackend b = new StampedStreamBackend(20, 100_000L)) {
      assertStamped(b.port(), "/api/chat", 20);
      assertStamped(b.port(), "/v1/chat/completions", 20);
    }
  }

  /** The stamps ride in the message content, so they survive the proxy's translation of NDJSON to SSE. */
  @Test
  void stampsSurviveTranslationToServerSentEvents() throws Exception {
    try (StampedStreamBackend b = new StampedStreamBackend(20, 100_000L)) {
      InMemoryConfigStore store = new InMemoryConfigStore();
      store.putBackend(Backend.builder("stamp").hostname("127.0.0.1").port(b.port()).apiFormat(ApiFormat.OLLAMA).build());
      store.putFrontend(Frontend.builder("bench").backends(List.of("stamp")).build());
      try (FlowCluster cluster = FlowCluster.builder().configStore(store).disableActiveHealthChecks().build();
          FlowHttpServer proxy = FlowHttpServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
              cluster.httpHandler())) {
        List<String> lines = assertStamped(proxy.port(), "/v1/chat/completions", 20);
        assertTrue(lines.stream().allMatch(l -> l.startsWith("data: ")), lines.toString());
        assertEquals("data: [DONE]", lines.get(lines.size() - 1));
      }
    }
  }

  /** Streams a chat from {@code path}; asserts {@code chunks} stamped lines with sane delays and returns every line. */
  private static List<String> assertStamped(int port, String path, int chunks) throws Exception {
    try (HttpConn c = new HttpConn(port, 10_000)) {
      List<String> lines = new ArrayList<>();
      List<Long> delays = new ArrayList<>();
      c.send(HttpConn.request("POST", path, "x", "application/json",
          new String(CHAT, StandardCharsets.UTF_8).replace("false", "true").getBytes(StandardCharsets.UTF_8)));
      HttpConn.Response r = c.read(new HttpConn.LineSink() {
        @Override
        void line(byte[] bytes, int len, long arrivalNanos) {
          lines.add(new String(bytes, 0, len, StandardCharsets.UTF_8));
          long stamp = StampedStreamBackend.stampOf(bytes, len);
          if (stamp >= 0) delays.add(arrivalNanos - stamp);
        }
      }, new HttpConn.Response());
      assertEquals(200, r.status, path);
      assertEquals(chunks, delays.size(), path + ": " + lines);
      delays.forEach(d -> assertTrue(d >= 0 && d < 5_000_000_000L, "delay " + d));
      return lines;
    }
  }

  @Test
  void percentilesAndBigPrompt() {
    long[] sorted = new long[1000];
    for (int i = 0; i < sorted.length; i++) sorted[i] = i + 1;
    assertEquals(500, LoadGen.percentile(sorted, 0.5));
    assertEquals(990, LoadGen.percentile(sorted, 0.99));
    assertEquals(999, LoadGen.percentile(sorted, 0.999));
    assertEquals(200 * 1024, OverheadBenchmark.bigPrompt(200 * 1024).length);
  }
}
