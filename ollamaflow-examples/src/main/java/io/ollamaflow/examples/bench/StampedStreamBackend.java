package io.ollamaflow.examples.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.LockSupport;

/**
 * A streaming chat backend for workload (c), run inside the benchmark JVM so the backend and the
 * client share one {@link System#nanoTime()} clock: every chunk's message content is
 * {@code stamp=NANOS }, taken just before the chunk is written and flushed, and the client
 * subtracts it from the chunk's arrival time. The stamp rides in the content so that it survives
 * translation. Streams Ollama NDJSON on /api/chat and OpenAI server-sent events on
 * /v1/chat/completions (the same chunks, so the direct baseline of a translated stream can take
 * the identical request). Also answers the probes a proxy sends (GET/HEAD /, /api/tags, /api/ps,
 * /api/version) so it can sit behind our server.
 */
final class StampedStreamBackend implements AutoCloseable {
  static final String MODEL = "llama3:latest";
  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "stamped-backend");
    t.setDaemon(true);
    return t;
  });
  private final int chunks;
  private final long gapNanos;

  StampedStreamBackend(int chunks, long gapNanos) throws IOException {
    this.chunks = chunks;
    this.gapNanos = gapNanos;
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 1024);
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  int port() {
    return server.getAddress().getPort();
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      ex.getRequestBody().readAllBytes();
      String path = ex.getRequestURI().getPath();
      switch (path) {
        case "/api/chat" -> stream(ex, false);
        case "/v1/chat/completions" -> stream(ex, true);
        case "/api/tags" -> json(ex, "{\"models\":[{\"name\":\"" + MODEL + "\",\"model\":\"" + MODEL
            + "\",\"size\":1,\"digest\":\"0\",\"details\":{}}]}");
        case "/api/ps" -> json(ex, "{\"models\":[{\"name\":\"" + MODEL + "\",\"model\":\"" + MODEL
            + "\",\"size\":1,\"digest\":\"0\",\"details\":{},\"expires_at\":\"2999-01-01T00:00:00Z\",\"size_vram\":1}]}");
        case "/api/version" -> json(ex, "{\"version\":\"0.12.6\"}");
        case "/" -> {
          byte[] b = "Ollama is running".getBytes(StandardCharsets.UTF_8);
          ex.sendResponseHeaders(200, ex.getRequestMethod().equals("HEAD") ? -1 : b.length);
          if (!ex.getRequestMethod().equals("HEAD")) ex.getResponseBody().write(b);
        }
        default -> ex.sendResponseHeaders(404, -1);
      }
    }
  }

  private static void json(HttpExchange ex, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
    ex.sendResponseHeaders(200, b.length);
    ex.getResponseBody().write(b);
  }

  private void stream(HttpExchange ex, boolean sse) throws IOException {
    ex.getResponseHeaders().set("Content-Type", sse ? "text/event-stream" : "application/x-ndjson");
    ex.sendResponseHeaders(200, 0);
    OutputStream out = ex.getResponseBody();
    long next = System.nanoTime();
    for (int i = 0; i < chunks; i++) {
      if (i > 0) {
        next += gapNanos;
        for (long wait = next - System.nanoTime(); wait > 0; wait = next - System.nanoTime()) {
          LockSupport.parkNanos(wait);
        }
      }
      out.write(chunk(sse, i == chunks - 1, System.nanoTime()).getBytes(StandardCharsets.UTF_8));
      out.flush();
    }
  }

  /** One chunk whose content is {@code stamp=NANOS }: an NDJSON line, or a {@code data:} event (with [DONE] after the last). */
  private String chunk(boolean sse, boolean done, long stamp) {
    String content = "\"content\":\"stamp=" + stamp + " \"";
    if (!sse) {
      return "{\"model\":\"" + MODEL + "\",\"created_at\":\"2025-01-01T00:00:00Z\",\"message\":{\"role\":\"assistant\","
          + content + "},\"done\":" + done + (done ? ",\"done_reason\":\"stop\",\"eval_count\":" + chunks : "") + "}\n";
    }
    return "data: {\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\"created\":1735689600,\"model\":\""
        + MODEL + "\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\"," + content + "},\"finish_reason\":"
        + (done ? "\"stop\"" : "null") + "}]}\n\n" + (done ? "data: [DONE]\n\n" : "");
  }

  /**
   * The stamp of one streamed line (an NDJSON line or an SSE {@code data:} line), or -1 when it has
   * none (SSE blank lines, {@code data: [DONE]}, a finish chunk the translation added).
   */
  static long stampOf(byte[] line, int len) {
    byte[] key = "stamp=".getBytes(StandardCharsets.US_ASCII);
    outer:
    for (int i = 0; i + key.length <= len; i++) {
      for (int k = 0; k < key.length; k++) {
        if (line[i + k] != key[k]) continue outer;
      }
      long v = 0;
      int j = i + key.length;
      boolean any = false;
      while (j < len && line[j] >= '0' && line[j] <= '9') {
        v = v * 10 + (line[j++] - '0');
        any = true;
      }
      return any ? v : -1;
    }
    return -1;
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
