package io.ollamaflow.examples.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server's {@code Logging} section: syslog over UDP, a daily file, MinimumSeverity, and refused keys. */
class ServerLoggingTest {
  private final HttpClient http = HttpClient.newHttpClient();

  @TempDir
  Path dir;

  @AfterEach
  void restoreDefaultLogging() {
    LogbackSetup.apply(LoggingSettings.DEFAULT);
  }

  @Test
  void syslogServersReceiveTheAccessLineAsRfc3164UserInformational() throws Exception {
    try (DatagramSocket receiver = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      receiver.setSoTimeout(10_000);
      String logging = ",\"Logging\":{\"ConsoleLogging\":false,\"Servers\":[{\"Hostname\":\"127.0.0.1\",\"Port\":"
          + receiver.getLocalPort() + "}]}";
      try (OllamaFlowServer server = DemoServer.start(dir, logging)) {
        assertThat(generate(server, "llama3.2").statusCode()).isEqualTo(200);
        List<String> received = new ArrayList<>();
        String access = null;
        while (access == null) {
          DatagramPacket packet = new DatagramPacket(new byte[65_536], 65_536);
          receiver.receive(packet); // SocketTimeoutException fails the test if the line never comes
          String datagram = new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8);
          received.add(datagram);
          if (datagram.contains("ollamaflow.requests")) access = datagram;
        }
        assertThat(received).as("the start-up lines came first").anyMatch(d -> d.contains("OllamaFlow listening on"));
        // <14>: facility user (1) * 8 + severity informational (6); then an RFC 3164 timestamp and host.
        assertThat(access).matches("(?s)<14>[A-Z][a-z]{2} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d \\S+ ollamaflow: .*")
            .contains("POST /api/generate", "model=llama3.2", "-> 200", "tokens in=");
      }
    }
  }

  @Test
  void logDirectoryAndLogFilenameWriteTheLogToThatFile() throws Exception {
    Path logs = dir.resolve("logs");
    try (OllamaFlowServer server = DemoServer.start(dir, ",\"Logging\":{\"ConsoleLogging\":false,\"LogDirectory\":\""
        + logs + "\",\"LogFilename\":\"flow.log\"}")) {
      assertThat(generate(server, "llama3.2").statusCode()).isEqualTo(200);
    }
    restoreDefaultLogging(); // closes the file
    String log = Files.readString(logs.resolve("flow.log"));
    assertThat(log).contains("INFO io.ollamaflow.examples.server.OllamaFlowServer - OllamaFlow listening on")
        .containsPattern("INFO ollamaflow.requests - \\[\\w+\\] POST /api/generate .*model=llama3\\.2 .*-> 200");
  }

  @Test
  void accessLineCarriesTimeToFirstByteBeforeTheStreamsTokens() throws Exception {
    Path logs = dir.resolve("logs");
    int tokenDelayMs = 20;
    try (OllamaFlowServer server = DemoServer.start(dir, ",\"Logging\":{\"ConsoleLogging\":false,\"LogDirectory\":\""
        + logs + "\",\"LogFilename\":\"flow.log\"}", tokenDelayMs)) {
      HttpResponse<String> streamed = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
          + "/api/generate")).POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"llama3.2\",\"prompt\":\"hi\"}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(streamed.statusCode()).isEqualTo(200);
    }
    restoreDefaultLogging();
    Matcher line = Pattern.compile("-> 200 \\((\\d+) ms, ttfb (\\d+\\.\\d) ms, tokens in=\\d+ out=(\\d+)\\)")
        .matcher(Files.readString(logs.resolve("flow.log")));
    assertThat(line.find()).as("the access line with ttfb").isTrue();
    long totalMs = Long.parseLong(line.group(1));
    double ttfbMs = Double.parseDouble(line.group(2));
    long tokens = Long.parseLong(line.group(3));
    assertThat(tokens).isGreaterThan(2);
    // The headers went out before the tokens, each of which the backend waited tokenDelayMs for.
    assertThat(totalMs - ttfbMs).isGreaterThanOrEqualTo((tokens - 1) * tokenDelayMs - 1);
  }

  @Test
  void minimumSeverityWarningKeepsWarningsAndDropsInformationalLines() throws Exception {
    Path logs = dir.resolve("logs");
    try (OllamaFlowServer server = DemoServer.start(dir, ",\"Logging\":{\"ConsoleLogging\":false,\"MinimumSeverity\":4,"
        + "\"LogDirectory\":\"" + logs + "\",\"LogFilename\":\"flow.log\"}")) {
      assertThat(generate(server, "llama3.2").statusCode()).isEqualTo(200);
      assertThat(malformed(server).statusCode()).isEqualTo(400);
    }
    restoreDefaultLogging();
    String log = Files.readString(logs.resolve("flow.log"));
    assertThat(log).contains("WARN ollamaflow.requests - ").doesNotContain(" INFO ");
  }

  @Test
  void enableColorsColoursTheConsoleByLevelAndPlainConsoleHasNoEscapes() throws Exception {
    assertThat(consoleOfAFailedRequest(true)).contains("\u001b[31mWARN\u001b[0;39m ollamaflow.requests");
    assertThat(consoleOfAFailedRequest(false)).contains(" WARN ollamaflow.requests").doesNotContain("\u001b");
  }

  private String consoleOfAFailedRequest(boolean colors) throws Exception {
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    try (OllamaFlowServer server = DemoServer.start(dir, ",\"Logging\":{\"EnableColors\":" + colors + "}")) {
      System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
      try {
        assertThat(malformed(server).statusCode()).isEqualTo(400);
      } finally {
        System.setErr(original);
      }
    }
    return captured.toString(StandardCharsets.UTF_8);
  }

  @Test
  void serverExitsWith2NamingAnUnknownLoggingKey() throws Exception {
    Path config = dir.resolve("ollamaflow.json");
    Files.writeString(config, "{\"Webserver\":{\"Hostname\":\"127.0.0.1\",\"Port\":0},"
        + "\"DatabaseFilename\":\"" + dir.resolve("flow.db") + "\",\"Logging\":{\"SyslogFormats\":\"rfc5424\"}}");
    ServerProcess.Exit exit = ServerProcess.run(config);
    String output = exit.output();
    assertThat(exit.status()).as(output).isEqualTo(2);
    assertThat(output).contains("ollamaflow: Logging.SyslogFormats: not a setting this server honours (did you mean SyslogFormat?");
  }

  @Test
  void severityOutsideZeroToSevenIsRefusedNamingTheKey() throws Exception {
    assertThatThrownBy(() -> load("{\"Logging\":{\"MinimumSeverity\":9}}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Logging.MinimumSeverity: 9 (expected: a syslog severity 0-7, 0 emergency .. 7 debug)");
  }

  @Test
  void unknownLoggingKeysAreRefusedNamingTheKey() throws Exception {
    assertThatThrownBy(() -> load("{\"Logging\":{\"LogColour\":true}}"))
        .hasMessageStartingWith("Logging.LogColour: not a setting this server honours");
    assertThatThrownBy(() -> load("{\"Logging\":{\"SyslogFormat\":\"rfc9999\"}}"))
        .hasMessage("Logging.SyslogFormat: \"rfc9999\" (expected: RFC3164 or RFC5424)");
    assertThat(load("{\"Logging\":{\"LogQueries\":false,\"LogResults\":false,\"MinimumSeverity\":7}}").logging.minimumSeverity())
        .isEqualTo(7);
  }

  @Test
  void logQueriesAndLogResultsWriteTheBodiesRedactedAndNothingWhenOff() throws Exception {
    String question = "{\"model\":\"llama3.2\",\"prompt\":\"what is 2+2\",\"api_key\":\"SECRET-IN-BODY\",\"stream\":false}";
    assertThat(bodiesLogged(true, question)).contains("ollamaflow.bodies - [", "request body (", "what is 2+2",
        "\"api_key\":\"********\"", "response body (", "\"done\":true").doesNotContain("SECRET-IN-BODY");
    assertThat(bodiesLogged(false, question)).as("off").doesNotContain("ollamaflow.bodies", "what is 2+2")
        .contains("ollamaflow.requests");
  }

  /** The log file after one request with LogQueries and LogResults set to {@code on}; the server is closed first. */
  private String bodiesLogged(boolean on, String body) throws Exception {
    Path logs = dir.resolve("logs-" + on);
    try (OllamaFlowServer server = DemoServer.start(dir, ",\"Logging\":{\"ConsoleLogging\":false,\"LogQueries\":" + on
        + ",\"LogResults\":" + on + ",\"LogDirectory\":\"" + logs + "\",\"LogFilename\":\"flow.log\"}")) {
      HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
          + "/api/generate")).POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(answer.statusCode()).isEqualTo(200);
    } // close() drains the request, so its lines are written
    restoreDefaultLogging();
    return Files.readString(logs.resolve("flow.log"));
  }

  @Test
  void syslogFormatRfc5424FramesEachLineWithVersionIsoTimestampAndAppName() throws Exception {
    try (DatagramSocket receiver = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      receiver.setSoTimeout(10_000);
      String logging = ",\"Logging\":{\"ConsoleLogging\":false,\"SyslogFormat\":\"RFC5424\",\"Servers\":[{\"Hostname\":"
          + "\"127.0.0.1\",\"Port\":" + receiver.getLocalPort() + "}]}";
      try (OllamaFlowServer server = DemoServer.start(dir, logging)) {
        assertThat(malformed(server).statusCode()).isEqualTo(400);
        String refused = null;
        while (refused == null) {
          DatagramPacket packet = new DatagramPacket(new byte[65_536], 65_536);
          receiver.receive(packet); // SocketTimeoutException fails the test if the line never comes
          String datagram = new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8);
          if (datagram.contains("ollamaflow.requests")) refused = datagram;
        }
        // <12>: facility user (1) * 8 + severity warning (4); version 1; RFC 3339 time; host; app; pid; no msgid or data.
        assertThat(refused).matches("<12>1 \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}(Z|[+-]\\d\\d:\\d\\d) \\S+ "
            + "ollamaflow " + ProcessHandle.current().pid() + " - - \\[[^]]+\\] ollamaflow\\.requests \\[\\w+\\] POST /api/generate .*-> 400 .*");
      }
    }
  }

  private ServerSettings load(String json) throws Exception {
    return SettingsFile.load(dir, json);
  }

  /** A body that is not JSON: refused by the proxy itself, so it is logged as a failed request, at warn. */
  private HttpResponse<String> malformed(OllamaFlowServer server) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/api/generate"))
        .POST(HttpRequest.BodyPublishers.ofString("not json")).build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> generate(OllamaFlowServer server, String model) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/api/generate"))
        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + model + "\",\"prompt\":\"hi\",\"stream\":false}")).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
