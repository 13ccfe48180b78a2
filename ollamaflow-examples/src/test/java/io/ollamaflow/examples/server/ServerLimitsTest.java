package io.ollamaflow.examples.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ollamaflow.core.http.HttpServerOptions;
import io.ollamaflow.examples.sim.SimulatedOllama;
import java.io.IOException;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18's attacks on the standalone server, each against a backend with one slot
 * (MaxParallelRequests 1) and a frontend that gives up after 20 s: while the attack holds, a
 * well-behaved client must still be served. Before the limits, each of these left it a 504.
 */
@Timeout(60)
class ServerLimitsTest {
  @TempDir Path dir;
  private final List<Socket> attackers = new ArrayList<>();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @AfterEach
  void closeAttackers() throws IOException {
    for (Socket s : attackers) s.close();
  }

  @Test
  void slowUploadsNeverHoldTheBackendSlotAWellBehavedClientNeeds() throws Exception {
    try (SimulatedOllama sim = SimulatedOllama.builder().tokenDelay(Duration.ZERO).start();
        OllamaFlowServer server = start(sim, "{}")) {
      for (int i = 0; i < 4; i++) {
        // The model comes first, the rest of the body never: the proxy could route it at once.
        attack(server, 0, "POST /api/generate HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n"
            + "{\"model\":\"llama3\",\"prompt\":\"");
      }

      HttpResponse<String> answer = generate(server, "{\"model\":\"llama3\",\"stream\":false}");

      assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
    }
  }

  @Test
  void aClientThatStopsReadingAStreamFreesTheBackendSlotAfterTheWriteTimeout() throws Exception {
    try (SimulatedOllama sim = SimulatedOllama.builder().tokenDelay(Duration.ZERO).start();
        OllamaFlowServer server = start(sim, "{\"WriteTimeoutMs\":300}")) {
      // A long stream (300,000 tokens, about 30 MB) to a client with a small receive buffer that reads nothing.
      // The proxy's socket send buffer (megabytes, tuned by the kernel) fills first, then a write blocks.
      String body = "{\"model\":\"llama3\",\"prompt\":\"go\",\"options\":{\"num_predict\":300000}}";
      attack(server, 4096, "POST /api/generate HTTP/1.1\r\nHost: x\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);

      HttpResponse<String> answer = generate(server, "{\"model\":\"llama3\",\"stream\":false}");

      assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
      long deadline = System.nanoTime() + 5_000_000_000L;
      while (sim.cancelledStreams() == 0 && System.nanoTime() < deadline) Thread.sleep(20);
      assertThat(sim.cancelledStreams()).as("the stalled stream's backend call was cancelled").isEqualTo(1);
    }
  }

  @Test
  void webserverIoSetsTheListenersLimitsUnderOllamaFlowsNamesWhereItHasThem() throws Exception {
    Path config = dir.resolve("io.json");
    Files.writeString(config, "{\"Webserver\":{\"IO\":{\"MaxConnections\":50,\"MaxConnectionsPerAddress\":5,"
        + "\"RequestHeadTimeoutMs\":1000,\"ReadTimeoutMs\":2000,\"MinRequestBodyBytesPerSecond\":10,"
        + "\"BufferedRequestBodySize\":4096,\"IdleTimeoutMs\":3000,\"WriteTimeoutMs\":4000,"
        + "\"MaxIncomingHeadersSize\":8192,\"ShutdownGraceMs\":0}}}");

    HttpServerOptions io = ServerSettings.load(config).httpOptions;

    assertThat(io.maxConnections()).isEqualTo(50);
    assertThat(io.maxConnectionsPerAddress()).isEqualTo(5);
    assertThat(io.requestHeadTimeout()).isEqualTo(Duration.ofSeconds(1));
    assertThat(io.readTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(io.minBodyBytesPerSecond()).isEqualTo(10);
    assertThat(io.bufferedBodyBytes()).isEqualTo(4096);
    assertThat(io.idleTimeout()).isEqualTo(Duration.ofSeconds(3));
    assertThat(io.writeTimeout()).isEqualTo(Duration.ofSeconds(4));
    assertThat(io.maxHeadBytes()).isEqualTo(8192);
    assertThat(io.shutdownGrace()).isZero();
  }

  @Test
  void badWebserverIoValuesAreRefusedNamingTheKeyAndTheRange() throws Exception {
    Path config = dir.resolve("bad.json");
    Files.writeString(config, "{\"Webserver\":{\"IO\":{\"ReadTimeoutMs\":0}}}");
    assertThatThrownBy(() -> ServerSettings.load(config))
        .hasMessage("Webserver.IO.ReadTimeoutMs: 0 (expected: between 1 ms and 24 days)");

    Files.writeString(config, "{\"Webserver\":{\"IO\":{\"MaxConnections\":\"many\"}}}");
    assertThatThrownBy(() -> ServerSettings.load(config))
        .hasMessage("Webserver.IO.MaxConnections: \"many\" (expected: a whole number)");

    Files.writeString(config, "{\"Webserver\":{\"IO\":{\"MaxIncomingHeadersSize\":10000000000}}}");
    assertThatThrownBy(() -> ServerSettings.load(config))
        .hasMessage("Webserver.IO.MaxIncomingHeadersSize: 10000000000 (expected: a smaller number)");

    Files.writeString(config, "{\"Webserver\":{\"IO\":[]}}");
    assertThatThrownBy(() -> ServerSettings.load(config)).hasMessage("Webserver.IO: [] (expected: an object)");
  }

  private OllamaFlowServer start(SimulatedOllama sim, String io) throws IOException {
    Path config = dir.resolve("ollamaflow.json");
    Files.writeString(config, "{\"Webserver\":{\"Hostname\":\"127.0.0.1\",\"Port\":0,\"IO\":" + io + "},"
        + "\"DatabaseFilename\":\"" + dir.resolve("flow.db") + "\","
        + "\"Backends\":[{\"Identifier\":\"one-slot\",\"Hostname\":\"127.0.0.1\",\"Port\":" + sim.port()
        + ",\"MaxParallelRequests\":1}],"
        + "\"Frontends\":[{\"Identifier\":\"main\",\"Hostname\":\"*\",\"Backends\":[\"one-slot\"],\"TimeoutMs\":20000}]}");
    ServerOptions options = ServerOptions.parse(new String[] {"--config", config.toString()});
    return OllamaFlowServer.start(options, ServerSettings.load(config));
  }

  private void attack(OllamaFlowServer server, int receiveBuffer, String bytes) throws IOException {
    Socket s = new Socket();
    attackers.add(s);
    if (receiveBuffer > 0) s.setReceiveBufferSize(receiveBuffer);
    s.connect(new InetSocketAddress("127.0.0.1", server.port()), 5_000);
    OutputStream out = s.getOutputStream();
    out.write(bytes.getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  private HttpResponse<String> generate(OllamaFlowServer server, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/api/generate"))
        .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
