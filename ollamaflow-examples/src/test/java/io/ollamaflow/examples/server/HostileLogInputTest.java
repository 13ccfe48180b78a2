package io.ollamaflow.examples.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.ollamaflow.api.LogSafe;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The standalone server's log under values a client chose to forge lines, drive the terminal and
 * flood the log: each request still makes one bounded line, with its control characters escaped.
 * Raw sockets, since well-behaved clients do not send such requests.
 */
class HostileLogInputTest {
  @TempDir
  Path dir;

  @Test
  void aForgingFloodingModelNameAndAnEscapeLadenPathLeaveOneBoundedEscapedLineEach() throws Exception {
    ServerOptions options = ServerOptions.parse(new String[] {"--demo", "--demo-token-delay", "0",
        "--config", dir.resolve("ollamaflow.json").toString()});
    Files.writeString(options.config, "{\"Webserver\":{\"Hostname\":\"127.0.0.1\",\"Port\":0},"
        + "\"DatabaseFilename\":\"" + dir.resolve("unused.db") + "\"}");
    String forged = "[main] INFO ollamaflow.requests - [0] POST /v1.0/backends forged";
    String model = "m\n" + forged + "\u001b[31m\u0000" + "x".repeat(1_000_000);
    String body = "{\"model\":\"" + model.replace("\n", "\\n").replace("\u001b", "\\u001b").replace("\u0000", "\\u0000")
        + "\",\"prompt\":\"hi\",\"stream\":false}";

    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    String log;
    try (OllamaFlowServer server = OllamaFlowServer.start(options, ServerSettings.load(options.config))) {
      System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
      try {
        String generate = exchange(server.port(), "POST /api/generate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\nConnection: close\r\n\r\n" + body);
        assertThat(generate).startsWith("HTTP/1.1 404 ");
        String path = exchange(server.port(), "GET /api/\u001b[31mRED\u001b[0m HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertThat(path).startsWith("HTTP/1.1 404 ");
      } finally {
        System.setErr(original);
      }
    }
    log = captured.toString(StandardCharsets.UTF_8);

    assertThat(log).as("the model's line and the path's line were written").contains("model=m\\n[main] INFO", "/api/\\u001b[31mRED");
    assertThat(log.lines()).noneMatch(line -> line.startsWith("[main] INFO ollamaflow.requests - [0]"));
    assertThat(log).doesNotContain("\u001b", "\u0000");
    assertThat(log).contains("...(" + model.length() + " chars)");
    // Two requests; the model appears in its line and in the quoted error message, each cut.
    assertThat(log.length()).isLessThan(4 * (LogSafe.MAX_LENGTH + 300));
  }

  /** Sends one request on a raw socket and reads the answer until the server closes. */
  private static String exchange(int port, String request) throws Exception {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(request.getBytes(StandardCharsets.UTF_8));
      out.flush();
      InputStream in = socket.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
