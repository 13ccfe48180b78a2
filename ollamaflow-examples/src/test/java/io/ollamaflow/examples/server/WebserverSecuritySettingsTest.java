package io.ollamaflow.examples.server;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ollamaflow.examples.sim.TestCertificates;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The standalone server's {@code Webserver.Ssl}, {@code Webserver.AccessControl} and the
 * {@code Webserver.IO} read timeout for a client that sends nothing, read from {@code ollamaflow.json}.
 */
class WebserverSecuritySettingsTest {
  @TempDir static Path certificateDir;
  private static TestCertificates certificates;

  @TempDir Path dir;

  @BeforeAll
  static void makeCertificates() throws IOException {
    certificates = TestCertificates.create(certificateDir);
  }

  @AfterEach
  void restoreDefaultLogging() {
    LogbackSetup.apply(LoggingSettings.DEFAULT);
  }

  @Test
  void sslWithAPfxFileServesHttpsAndTheStartUpLineSaysHttps() throws Exception {
    Path logs = dir.resolve("logs");
    String logging = ",\"Logging\":{\"ConsoleLogging\":false,\"LogDirectory\":\"" + logs + "\",\"LogFilename\":\"flow.log\"}";
    OkHttpClient client = new OkHttpClient.Builder()
        .sslSocketFactory(certificates.clientContext(false).getSocketFactory(), certificates.trustManager()).build();

    try (OllamaFlowServer server = start(",\"Ssl\":{\"Enable\":true,\"PfxCertificateFile\":\"" + certificates.serverPkcs12()
        + "\",\"PfxCertificatePassword\":\"" + TestCertificates.PASSWORD + "\",\"MutuallyAuthenticate\":false,"
        + "\"AcceptInvalidAcertificates\":true}", logging);
        Response response = client.newCall(new Request.Builder()
            .url("https://localhost:" + server.port() + "/api/tags").build()).execute()) {
      assertThat(response.code()).isEqualTo(200);
      assertThat(response.body().string()).contains("llama3.2");
    }
    restoreDefaultLogging(); // closes the file
    assertThat(Files.readString(logs.resolve("flow.log")))
        .contains("OllamaFlow listening on https://127.0.0.1:")
        .contains("TLS 1.2/1.3 with the certificate for CN=localhost, valid until");
  }

  @Test
  void sslWithPemFilesAndMutualAuthenticationRequiresClientCertificates() throws Exception {
    ServerSettings settings = load(",\"Ssl\":{\"Enable\":true,\"PemCertificateFile\":\"" + certificates.serverChainPem()
        + "\",\"PemPrivateKeyFile\":\"" + certificates.serverKeyPem() + "\",\"MutuallyAuthenticate\":true,"
        + "\"ClientCaCertificateFile\":\"" + certificates.caPem() + "\"}", "");

    assertThat(settings.httpOptions.tls()).hasValueSatisfying(tls -> {
      assertThat(tls.clientCertificateRequired()).isTrue();
      assertThat(tls.certificateSubject()).isEqualTo("CN=localhost");
    });
  }

  @Test
  void sslDisabledLeavesTheListenerOnPlainHttpWhateverTheOtherKeysSay() throws Exception {
    // What OllamaFlow writes into a new file: Enable false with empty names.
    ServerSettings settings = load(",\"Ssl\":{\"Enable\":false,\"PfxCertificateFile\":null,"
        + "\"PfxCertificatePassword\":null,\"MutuallyAuthenticate\":false,\"AcceptInvalidAcertificates\":true}", "");

    assertThat(settings.httpOptions.tls()).isEmpty();
  }

  @Test
  void badSslSettingsAreRefusedNamingTheKeyOrTheFileAndWhatIsWrong() throws Exception {
    Path missing = dir.resolve("missing.pfx");
    assertRefused(pfx(missing, TestCertificates.PASSWORD), "Webserver.Ssl: " + missing + ": cannot read (no such file)");
    assertRefused(pfx(certificates.serverPkcs12(), "wrong"),
        "Webserver.Ssl: " + certificates.serverPkcs12() + ": wrong password (the PKCS#12 file's integrity check failed)");
    assertRefused(pfx(certificates.expiredPkcs12(), TestCertificates.PASSWORD),
        "Webserver.Ssl: " + certificates.expiredPkcs12() + ": the certificate for CN=localhost expired on ");
    assertRefused(",\"Ssl\":{\"Enable\":true,\"PemCertificateFile\":\"" + certificates.serverChainPem()
        + "\",\"PemPrivateKeyFile\":\"" + certificates.clientKeyPem() + "\"}",
        "Webserver.Ssl: " + certificates.serverChainPem() + " with " + certificates.clientKeyPem()
            + ": the private key does not match the certificate for CN=localhost");
    assertRefused(",\"Ssl\":{\"Enable\":true,\"PemCertificateFile\":\"" + certificates.serverKeyPem()
        + "\",\"PemPrivateKeyFile\":\"" + certificates.serverKeyPem() + "\"}",
        "Webserver.Ssl: " + certificates.serverKeyPem() + ": no PEM certificate (BEGIN CERTIFICATE) in it");
    assertRefused(",\"Ssl\":{\"Enable\":true,\"CertificateFile\":\"x.pfx\"}",
        "Webserver.Ssl.CertificateFile: not a setting this server honours (known: Enable, PfxCertificateFile, "
            + "PfxCertificatePassword, PemCertificateFile, PemPrivateKeyFile, MutuallyAuthenticate, ClientCaCertificateFile, "
            + "AcceptInvalidAcertificates, ReloadIntervalMs)");
    assertRefused(",\"Ssl\":{\"Enable\":true}", "Webserver.Ssl: Enable is true but no certificate is set");
    assertRefused(pfx(certificates.serverPkcs12(), TestCertificates.PASSWORD).replace("}", ",\"ReloadIntervalMs\":-5}"),
        "Webserver.Ssl.ReloadIntervalMs: -5 (expected: a whole number, 0 or more)");
    assertThatThrownBy(() -> load(",\"Ssl\":{\"Enable\":true,\"PfxCertificateFile\":\"x.pfx\",\"PfxCertificatePassword\":314159}", ""))
        .hasMessage("Webserver.Ssl.PfxCertificatePassword: (expected: a string)");
    assertRefused(",\"Ssl\":{\"Enable\":\"yes\"}", "Webserver.Ssl.Enable: \"yes\" (expected: true or false)");
    assertRefused(",\"Ssl\":{\"Enable\":true,\"PfxCertificateFile\":\"" + certificates.serverPkcs12()
        + "\",\"PfxCertificatePassword\":\"" + TestCertificates.PASSWORD + "\",\"MutuallyAuthenticate\":true}",
        "Webserver.Ssl.MutuallyAuthenticate: true needs ClientCaCertificateFile");
    assertRefused(",\"Ssl\":{\"Enable\":true,\"PfxCertificateFile\":\"" + certificates.serverPkcs12()
        + "\",\"PfxCertificatePassword\":\"" + TestCertificates.PASSWORD + "\",\"MutuallyAuthenticate\":true,"
        + "\"ClientCaCertificateFile\":\"" + certificates.caPem() + "\",\"AcceptInvalidAcertificates\":true}",
        "Webserver.Ssl.AcceptInvalidAcertificates: true is not supported with MutuallyAuthenticate");
  }

  @Test
  void aMissingCertificateFileStopsTheServerWithExit2NamingTheFile() throws Exception {
    Path config = dir.resolve("ollamaflow.json");
    Files.writeString(config, "{\"Webserver\":{\"Hostname\":\"127.0.0.1\",\"Port\":0,\"Ssl\":{\"Enable\":true,"
        + "\"PfxCertificateFile\":\"x.pfx\"}},\"DatabaseFilename\":\"" + dir.resolve("unused.db") + "\"}");

    ServerProcess.Exit exit = ServerProcess.run(config);

    assertThat(exit.status()).isEqualTo(2);
    assertThat(exit.output()).contains("Webserver.Ssl: x.pfx: cannot read (no such file)").doesNotContain("Exception");
  }

  @Test
  void accessControlLetsOnlyThePermittedAddressesIn() throws Exception {
    try (OllamaFlowServer server = start(",\"AccessControl\":{\"Mode\":\"DefaultDeny\",\"PermitList\":[\"127.0.0.0/24\"],"
        + "\"DenyList\":[\"127.0.0.3\"]}", "")) {
      assertThat(get(server, "127.0.0.2")).startsWith("HTTP/1.1 200 ");
      assertThat(get(server, "127.0.0.3")).as("denied").isEmpty();
    }
    try (OllamaFlowServer server = start(",\"AccessControl\":{\"Mode\":\"DefaultDeny\",\"PermitList\":[\"127.0.0.2\"]}", "")) {
      assertThat(get(server, "127.0.0.2")).startsWith("HTTP/1.1 200 ");
      assertThat(get(server, "127.0.0.1")).as("not permitted").isEmpty();
    }
  }

  @Test
  void badAccessControlSettingsAreRefusedNamingTheKeyAndTheEntry() throws Exception {
    assertRefused(",\"AccessControl\":{\"Mode\":\"Deny\"}",
        "Webserver.AccessControl.Mode: \"Deny\" (expected: DefaultPermit or DefaultDeny)");
    assertRefused(",\"AccessControl\":{\"PermitList\":[\"10.0.0.1\",\"10.0.0.0/40\"]}",
        "Webserver.AccessControl.PermitList: \"10.0.0.0/40\": prefix length \"40\" (expected: 0-32)");
    assertRefused(",\"AccessControl\":{\"DenyList\":[\"evil.example.com\"]}",
        "Webserver.AccessControl.DenyList: \"evil.example.com\": not an IP address or CIDR range");
    assertRefused(",\"AccessControl\":{\"DenyList\":\"10.0.0.1\"}",
        "Webserver.AccessControl.DenyList: \"10.0.0.1\" (expected: an array of strings)");
    assertRefused(",\"AccessControl\":{\"Allow\":[]}", "Webserver.AccessControl.Allow: not a setting this server honours");
  }

  @Test
  void readTimeoutMsClosesANewConnectionThatSendsNothing() throws Exception {
    // The head timeout stays at its 10 s default, past the client's 5 s wait: only ReadTimeoutMs can close it.
    try (OllamaFlowServer server = start(",\"IO\":{\"ReadTimeoutMs\":300}", "");
        Socket silent = new Socket("127.0.0.1", server.port())) {
      silent.setSoTimeout(5_000);
      assertThat(silent.getInputStream().read()).as("closed by the server").isEqualTo(-1);
    }
  }

  // --- fixtures ---

  private String pfx(Path file, String password) {
    return ",\"Ssl\":{\"Enable\":true,\"PfxCertificateFile\":\"" + file + "\",\"PfxCertificatePassword\":\"" + password + "\"}";
  }

  private void assertRefused(String webserver, String messageStart) {
    assertThatThrownBy(() -> load(webserver, "")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(messageStart);
  }

  private Path write(String webserver, String extra) throws IOException {
    Path config = dir.resolve("ollamaflow.json");
    Files.writeString(config, "{\"Webserver\":{\"Hostname\":\"127.0.0.1\",\"Port\":0" + webserver + "},"
        + "\"DatabaseFilename\":\"" + dir.resolve("unused.db") + "\"" + extra + "}");
    return config;
  }

  private ServerSettings load(String webserver, String extra) throws IOException {
    return ServerSettings.load(write(webserver, extra));
  }

  private OllamaFlowServer start(String webserver, String extra) throws Exception {
    Path config = write(webserver, extra);
    ServerOptions options = ServerOptions.parse(new String[] {"--demo", "--demo-token-delay", "1", "--config", config.toString()});
    return OllamaFlowServer.start(options, ServerSettings.load(config));
  }

  /** A GET of /api/tags from the loopback address {@code from}; the head's first bytes, empty when refused unanswered. */
  private static String get(OllamaFlowServer server, String from) throws IOException {
    try (Socket socket = new Socket()) {
      socket.bind(new InetSocketAddress(from, 0));
      socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 5_000);
      socket.setSoTimeout((int) Duration.ofSeconds(5).toMillis());
      try {
        socket.getOutputStream().write("GET /api/tags HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(ISO_8859_1));
        byte[] head = socket.getInputStream().readNBytes(13);
        return new String(head, ISO_8859_1);
      } catch (SocketException reset) {
        return "";
      }
    }
  }
}
