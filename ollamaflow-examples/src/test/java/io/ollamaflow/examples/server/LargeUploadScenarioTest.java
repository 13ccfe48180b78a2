package io.ollamaflow.examples.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ollamaflow.core.FlowCluster;
import io.ollamaflow.examples.sim.SimulatedOllama;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18's attack 1L on the standalone server: uploads of bodies larger than
 * BufferedRequestBodySize (so not read by the listener) against a simulated Ollama with one slot
 * and MaxParallelRequests 1. The body is spooled whole before the request takes the slot, so a
 * slow uploader never holds it, and its temporary file is gone however the upload ends.
 */
@Timeout(60)
class LargeUploadScenarioTest {
  /** More than loopback's socket buffers can hold (Linux lets a receive buffer grow to 6 MB). */
  private static final int SENT_BEFORE_STALLING = 12 * 1024 * 1024;

  @TempDir Path dir;
  @TempDir Path spool;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  void aSlowLargeUploadTakesNoBackendSlotUntilItHasArrived() throws Exception {
    try (SimulatedOllama sim = SimulatedOllama.builder().tokenDelay(Duration.ZERO).parallel(1).start();
        OllamaFlowServer server = start(sim, "{\"ReadTimeoutMs\":60000,\"MinRequestBodyBytesPerSecond\":0}");
        Socket uploader = connect(server)) {
      String head = "{\"model\":\"llama3\",\"stream\":false,\"prompt\":\"";
      byte[] prompt = new byte[SENT_BEFORE_STALLING + 1024];
      Arrays.fill(prompt, (byte) 'a');
      String tail = "\"}";
      OutputStream out = uploader.getOutputStream();
      out.write(("POST /api/generate HTTP/1.1\r\nHost: x\r\nContent-Length: "
          + (head.length() + prompt.length + tail.length()) + "\r\n\r\n" + head).getBytes(StandardCharsets.US_ASCII));
      // The write returns only once the proxy has read most of it: streamed, this body would hold the slot now.
      out.write(prompt, 0, SENT_BEFORE_STALLING);
      out.flush();
      assertThat(spoolFiles()).as("the upload is spooled to a temporary file").hasSize(1);

      // Had the upload taken the one slot (streamed, as before), one of the two would end in 504 after
      // the frontend's 3 s TimeoutMs: this request waiting for the slot, or the upload's own attempt,
      // whose backend answers nothing while the body trickles (seen on the old code: the upload's 504).
      HttpResponse<String> other = generate(server, "{\"model\":\"llama3\",\"stream\":false}");
      assertThat(other.statusCode()).as(other.body()).isEqualTo(200);

      out.write(prompt, SENT_BEFORE_STALLING, prompt.length - SENT_BEFORE_STALLING);
      out.write(tail.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      assertThat(statusLine(uploader.getInputStream())).as("the large upload, once complete").isEqualTo("HTTP/1.1 200 OK");
      until("the temporary file is deleted", () -> spoolFiles().isEmpty());
      byte[] whole = (head + new String(prompt, StandardCharsets.US_ASCII) + tail).getBytes(StandardCharsets.US_ASCII);
      assertThat(generates(sim)).as("the backend got the other client's request, then the upload byte for byte")
          .extracting(SimulatedOllama.Request::bodySha256)
          .containsExactly(sha256("{\"model\":\"llama3\",\"stream\":false}".getBytes(StandardCharsets.UTF_8)), sha256(whole));
    }
  }

  @Test
  void aStalledLargeUploadEndsIn408AndLeavesNoTemporaryFile() throws Exception {
    try (SimulatedOllama sim = SimulatedOllama.builder().tokenDelay(Duration.ZERO).parallel(1).start();
        OllamaFlowServer server = start(sim, "{\"ReadTimeoutMs\":500}");
        Socket uploader = connect(server)) {
      sendPartOfALargeGenerate(uploader, 1_000_000);

      assertThat(statusLine(uploader.getInputStream())).isEqualTo("HTTP/1.1 408 Request Timeout");
      // The body is closed before the listener answers 408.
      assertThat(spoolFiles()).isEmpty();
      assertThat(generates(sim)).as("generate requests the backend saw").isEmpty();
    }
  }

  @Test
  void aLargeUploadTricklingBelowTheMinimumRateEndsIn408AndLeavesNoTemporaryFile() throws Exception {
    try (SimulatedOllama sim = SimulatedOllama.builder().tokenDelay(Duration.ZERO).parallel(1).start();
        OllamaFlowServer server = start(sim, "{\"ReadTimeoutMs\":500,\"MinRequestBodyBytesPerSecond\":1000000}");
        Socket uploader = connect(server)) {
      OutputStream out = sendPartOfALargeGenerate(uploader, 300_000);
      InputStream in = uploader.getInputStream();
      // A byte every 50 ms: never a read timeout, but far below the minimum rate once its grace is over.
      uploader.setSoTimeout(50);
      String status = null;
      for (int i = 0; i < 400 && status == null; i++) {
        try {
          out.write('a');
          out.flush();
        } catch (IOException refusedAndClosed) {
          // the server stopped reading once it answered
        }
        try {
          int first = in.read();
          uploader.setSoTimeout(30_000);
          status = (char) first + statusLine(in);
        } catch (java.net.SocketTimeoutException notYet) {
          // no answer yet: send another byte
        }
      }

      assertThat(status).isEqualTo("HTTP/1.1 408 Request Timeout");
      assertThat(spoolFiles()).isEmpty();
      assertThat(generates(sim)).as("generate requests the backend saw").isEmpty();
    }
  }

  @Test
  void aClientThatLeavesMidUploadLeavesNoTemporaryFile() throws Exception {
    try (SimulatedOllama sim = SimulatedOllama.builder().tokenDelay(Duration.ZERO).parallel(1).start();
        OllamaFlowServer server = start(sim, "{\"ReadTimeoutMs\":60000,\"MinRequestBodyBytesPerSecond\":0}")) {
      try (Socket uploader = connect(server)) {
        sendPartOfALargeGenerate(uploader, 1_000_000);
        until("the upload is spooled to a temporary file", () -> spoolFiles().size() == 1);
      }

      until("the temporary file is deleted after the client left", () -> spoolFiles().isEmpty());
      assertThat(generates(sim)).as("generate requests the backend saw").isEmpty();
    }
  }

  @Test
  void requestBodySpoolSetsWhereBodiesWaitAndBadValuesAreRefusedByName() throws Exception {
    Path config = dir.resolve("spool.json");
    Files.writeString(config, "{\"RequestBodySpool\":{\"Directory\":\"" + spool + "\",\"MaxMemoryBytes\":1048576,"
        + "\"MaxDiskBytes\":0}}");
    assertThat(ServerSettings.load(config).requestBodies)
        .isEqualTo(new RequestBodySettings(spool, 1_048_576, 0));

    Files.writeString(config, "{}");
    assertThat(ServerSettings.load(config).requestBodies).isEqualTo(new RequestBodySettings(null,
        FlowCluster.DEFAULT_REQUEST_BODY_MEMORY_BYTES, FlowCluster.DEFAULT_REQUEST_BODY_DISK_BYTES));

    Files.writeString(config, "{\"RequestBodySpool\":{\"MaxDiskBytes\":-1}}");
    assertThatThrownBy(() -> ServerSettings.load(config))
        .hasMessage("RequestBodySpool.MaxDiskBytes: -1 (expected: a whole number of bytes >= 0)");

    Files.writeString(config, "{\"RequestBodySpool\":{\"Directory\":\"" + spool.resolve("missing") + "\"}}");
    assertThatThrownBy(() -> ServerSettings.load(config))
        .hasMessage("RequestBodySpool.Directory: " + spool.resolve("missing") + " is not a writable directory");

    Files.writeString(config, "{\"RequestBodySpool\":{\"MaxBytes\":5}}");
    assertThatThrownBy(() -> ServerSettings.load(config)).hasMessage(
        "RequestBodySpool.MaxBytes: not a setting this server honours (known: Directory, MaxMemoryBytes, MaxDiskBytes)");
  }

  private OllamaFlowServer start(SimulatedOllama sim, String io) throws IOException {
    Path config = dir.resolve("ollamaflow.json");
    Files.writeString(config, "{\"Webserver\":{\"Hostname\":\"127.0.0.1\",\"Port\":0,\"IO\":" + io + "},"
        + "\"RequestBodySpool\":{\"Directory\":\"" + spool + "\"},"
        + "\"DatabaseFilename\":\"" + dir.resolve("flow.db") + "\","
        + "\"Backends\":[{\"Identifier\":\"one-slot\",\"Hostname\":\"127.0.0.1\",\"Port\":" + sim.port()
        + ",\"MaxParallelRequests\":1}],"
        + "\"Frontends\":[{\"Identifier\":\"main\",\"Hostname\":\"*\",\"Backends\":[\"one-slot\"],\"TimeoutMs\":3000}]}");
    ServerOptions options = ServerOptions.parse(new String[] {"--config", config.toString()});
    return OllamaFlowServer.start(options, ServerSettings.load(config));
  }

  private static Socket connect(OllamaFlowServer server) throws IOException {
    Socket s = new Socket();
    s.setSendBufferSize(16 * 1024);
    s.setSoTimeout(30_000);
    s.connect(new InetSocketAddress("127.0.0.1", server.port()), 5_000);
    return s;
  }

  /** Sends the head of a 2 MB generate and about {@code promptBytes} of it, then stops. */
  private static OutputStream sendPartOfALargeGenerate(Socket uploader, int promptBytes) throws IOException {
    OutputStream out = uploader.getOutputStream();
    out.write(("POST /api/generate HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\n\r\n"
        + "{\"model\":\"llama3\",\"prompt\":\"" + "a".repeat(promptBytes)).getBytes(StandardCharsets.US_ASCII));
    out.flush();
    return out;
  }

  private static String statusLine(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    for (int b; (b = in.read()) >= 0 && b != '\n'; ) {
      if (b != '\r') line.append((char) b);
    }
    return line.toString();
  }

  private HttpResponse<String> generate(OllamaFlowServer server, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/api/generate"))
        .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static List<SimulatedOllama.Request> generates(SimulatedOllama sim) {
    return sim.requests().stream().filter(r -> r.path().equals("/api/generate")).toList();
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  private List<Path> spoolFiles() throws IOException {
    try (Stream<Path> files = Files.list(spool)) {
      return files.toList();
    }
  }

  private interface Check {
    boolean holds() throws Exception;
  }

  private static void until(String what, Check check) throws Exception {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (!check.holds()) {
      if (System.nanoTime() > deadline) throw new AssertionError("not within 10 s: " + what);
      Thread.sleep(10);
    }
  }
}
