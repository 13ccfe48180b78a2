package io.ollamaflow.examples.spring;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A backend on loopback whose streams advance only when the test says so: chunk {@code i + 1} is
 * written after {@link #release()} has been called {@code i + 1} times, so a test can check each
 * chunk reached the client before the next one existed. Answers the health probe and both model
 * listings (Ollama's and OpenAI's), serving one model, so it passes for either API format.
 */
final class GatedBackend implements AutoCloseable {
  static final String MODEL = "llama3.2";
  private static final long MAX_WAIT_SECONDS = 10;

  private final HttpServer server;
  private final Map<String, Stream> streams;
  private final Semaphore releases = new Semaphore(0);
  private final AtomicInteger written = new AtomicInteger();

  /** The chunks a streaming path answers with, and their content type. */
  record Stream(String contentType, List<String> chunks) {}

  GatedBackend(Map<String, Stream> streams) throws IOException {
    this.streams = Map.copyOf(streams);
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", this::handle);
    server.start();
  }

  int port() {
    return server.getAddress().getPort();
  }

  /** Chunks written (or being written) to the proxy so far, across streams. */
  int written() {
    return written.get();
  }

  /** Lets the stream write its next chunk. */
  void release() {
    releases.release();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      Stream stream = streams.get(path);
      if (stream != null && exchange.getRequestMethod().equals("POST")) {
        exchange.getRequestBody().readAllBytes();
        stream(exchange, stream);
      } else if (path.equals("/api/tags")) {
        answer(exchange, "application/json", "{\"models\":[{\"name\":\"" + MODEL + ":latest\"}]}");
      } else if (path.equals("/v1/models")) {
        answer(exchange, "application/json", "{\"object\":\"list\",\"data\":[{\"id\":\"" + MODEL + "\",\"object\":\"model\"}]}");
      } else if (path.equals("/api/ps")) {
        answer(exchange, "application/json", "{\"models\":[]}");
      } else {
        answer(exchange, "text/plain", "Ollama is running");
      }
    }
  }

  private void stream(HttpExchange exchange, Stream stream) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", stream.contentType());
    exchange.sendResponseHeaders(200, 0);
    OutputStream out = exchange.getResponseBody();
    for (int i = 0; i < stream.chunks().size(); i++) {
      if (i > 0 && !acquireRelease()) return; // the test gave up: end the stream unfinished
      written.incrementAndGet(); // before the write, so a client that has the chunk sees it counted
      out.write(stream.chunks().get(i).getBytes(StandardCharsets.UTF_8));
      out.flush();
    }
  }

  private boolean acquireRelease() {
    try {
      return releases.tryAcquire(MAX_WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static void answer(HttpExchange exchange, String contentType, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", contentType);
    exchange.sendResponseHeaders(200, bytes.length);
    exchange.getResponseBody().write(bytes);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
