package io.ollamaflow.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ollamaflow.api.ApiFormat;
import io.ollamaflow.api.Backend;
import io.ollamaflow.api.FlowEventListener;
import io.ollamaflow.api.FlowException;
import io.ollamaflow.api.Frontend;
import io.ollamaflow.api.RequestInfo;
import io.ollamaflow.core.testing.CapturedLog;
import io.ollamaflow.core.testing.RawBackend;
import io.ollamaflow.core.testing.ScenarioHarness;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A backend that dies partway through an answer never gives the client something that looks
 * whole: a plain body is aborted (no last chunk, or fewer bytes than announced), a translated one
 * is answered 502, and each is logged once. Raw-socket backends cut the answers; the client side
 * is read with OkHttp and with a raw socket.
 */
class CutShortAnswerScenarioTest {
  /** 40 bytes of a JSON answer that was to be 100. */
  private static final String PART = "{\"message\":{\"role\":\"assistant\",\"conte";

  private final ScenarioHarness harness = new ScenarioHarness();
  private final List<String> failures = new CopyOnWriteArrayList<>();

  @AfterEach
  void close() {
    harness.close();
  }

  @Test
  void answerShorterThanItsContentLengthReachesTheClientAsAnErrorNotAsA200Body() throws Exception {
    start();
    try (RawBackend cutting = new RawBackend((method, path, n, out) -> {
      write(out, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n" + PART);
      return false;
    }); CapturedLog log = new CapturedLog()) {
      harness.configure(Frontend.builder("f1"), raw("cutting", cutting));

      try (Response r = harness.post("/api/chat", "{\"model\":\"m\",\"stream\":false}")) {
        assertThat(r.code()).isEqualTo(200);
        assertThatThrownBy(() -> r.body().string()).isInstanceOf(IOException.class);
      }
      String expected = "backend 'cutting' failed mid-response after " + PART.length() + " bytes: ";
      assertThat(failures).singleElement().asString().startsWith(expected);
      assertThat(log.text().lines().filter(line -> line.contains(expected) && line.contains("WARN"))).hasSize(1);
    }
  }

  @Test
  void chunkedAnswerCutMidChunkEndsWithoutTheLastChunkOnTheClientsConnection() throws Exception {
    start();
    try (RawBackend cutting = new RawBackend((method, path, n, out) -> {
      write(out, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n64\r\n" + PART);
      return false;
    })) {
      harness.configure(Frontend.builder("f1"), raw("cutting", cutting));

      String wire = rawExchange("POST /api/chat HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
          + "Content-Length: 30\r\n\r\n{\"model\":\"m\",\"stream\":false}  ");
      assertThat(wire).startsWith("HTTP/1.1 200 ").contains("Transfer-Encoding: chunked").contains(PART);
      assertThat(wire).as("the client's connection closed without the terminating chunk").doesNotContain("\r\n0\r\n\r\n");

      try (Response r = harness.post("/api/chat", "{\"model\":\"m\",\"stream\":false}")) {
        assertThatThrownBy(() -> r.body().string()).isInstanceOf(IOException.class);
      }
      assertThat(failures).hasSize(2).allSatisfy(f -> assertThat(f).contains("failed mid-response after"));
    }
  }

  @Test
  void translatedAnswerCutShortIsAnswered502BeforeAnythingIsSent() throws Exception {
    start();
    try (RawBackend cutting = new RawBackend((method, path, n, out) -> {
      write(out, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n" + PART);
      return false;
    })) {
      harness.configure(Frontend.builder("f1"),
          Backend.builder("openai").hostname("127.0.0.1").port(cutting.port()).apiFormat(ApiFormat.OPENAI).build());

      try (Response r = harness.post("/api/chat", "{\"model\":\"m\",\"stream\":false}")) {
        assertThat(r.code()).isEqualTo(502);
        assertThat(r.body().string()).contains("backend 'openai' failed mid-response after " + PART.length() + " bytes");
      }
    }
  }

  private void start() throws Exception {
    harness.start(b -> b.disableActiveHealthChecks().eventListener(new FlowEventListener() {
      @Override
      public void requestFailed(RequestInfo request, FlowException failure) {
        failures.add(failure.getMessage());
      }
    }));
  }

  /** Sends {@code request} on a raw socket and reads until the proxy closes the connection. */
  private String rawExchange(String request) throws IOException {
    int port = Integer.parseInt(harness.url("").replaceAll(".*:", ""));
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      byte[] buffer = new byte[4096];
      for (int n; (n = in.read(buffer)) >= 0; ) got.write(buffer, 0, n);
      return got.toString(StandardCharsets.ISO_8859_1);
    }
  }

  private static Backend raw(String id, RawBackend backend) {
    return Backend.builder(id).hostname("127.0.0.1").port(backend.port()).build();
  }

  private static void write(OutputStream out, String text) throws IOException {
    out.write(text.getBytes(StandardCharsets.ISO_8859_1));
  }
}
