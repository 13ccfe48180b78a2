package io.ollamaflow.examples.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ollamaflow.core.http.FlowHttpServer;
import io.ollamaflow.core.http.HttpServerOptions;
import io.ollamaflow.core.http.TlsOptions;
import io.ollamaflow.examples.sim.TestCertificates;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A renewed certificate is served without a restart: the files are read again once their content
 * changed, and only if they pass the checks made at start; until then the previous one serves.
 */
class TlsReloadTest {
  @TempDir static Path dir;
  private static TestCertificates first;
  private static TestCertificates renewed;

  @TempDir Path live;
  private FlowHttpServer server;

  @BeforeAll
  static void makeCertificates() throws IOException {
    first = TestCertificates.create(dir.resolve("first"));
    renewed = TestCertificates.create(dir.resolve("renewed"));
  }

  @AfterEach
  void stop() {
    if (server != null) server.close();
  }

  @Test
  void optionsAreReadAgainOnlyWhenAFileChangedAndOnlyIfTheChangedFilesPassTheChecks() throws IOException {
    install(first.serverChainPem(), first.serverKeyPem());
    TlsOptions options = TlsOptions.pem(cert(), key()).reloadInterval(Duration.ZERO).build();
    assertThat(options.reloadInterval()).isZero();
    assertThat(options.reloadedIfChanged()).as("nothing changed").isSameAs(options);
    Files.copy(first.serverKeyPem(), key(), StandardCopyOption.REPLACE_EXISTING);
    assertThat(options.reloadedIfChanged()).as("rewritten with the same content").isSameAs(options);

    Files.copy(renewed.serverChainPem(), cert(), StandardCopyOption.REPLACE_EXISTING);
    assertThatThrownBy(options::reloadedIfChanged).as("the new certificate with the old key")
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not match");

    Files.copy(renewed.serverKeyPem(), key(), StandardCopyOption.REPLACE_EXISTING);
    TlsOptions reloaded = options.reloadedIfChanged();
    assertThat(reloaded).isNotSameAs(options);
    assertThat(reloaded.reloadedIfChanged()).isSameAs(reloaded);
  }

  @Test
  void aServerServesTheRenewedCertificateToNewConnectionsWithoutARestart() throws Exception {
    install(first.serverChainPem(), first.serverKeyPem());
    server = FlowHttpServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
        exchange -> exchange.sendResponseHeaders(204, 0),
        HttpServerOptions.builder().tls(TlsOptions.pem(cert(), key()).reloadInterval(Duration.ofMillis(20)).build()).build());
    X509Certificate before = servedCertificate();
    assertThat(before).isEqualTo(certificateIn(first.serverChainPem()));

    install(renewed.serverChainPem(), renewed.serverKeyPem());
    X509Certificate expected = certificateIn(renewed.serverChainPem());
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    X509Certificate served = servedCertificate();
    while (!served.equals(expected) && System.nanoTime() < deadline) {
      Thread.sleep(20);
      served = servedCertificate();
    }
    assertThat(served).as("a new connection after the renewal").isEqualTo(expected);
  }

  private void install(Path chain, Path key) throws IOException {
    Files.copy(chain, cert(), StandardCopyOption.REPLACE_EXISTING);
    Files.copy(key, key(), StandardCopyOption.REPLACE_EXISTING);
  }

  private Path cert() {
    return live.resolve("fullchain.pem");
  }

  private Path key() {
    return live.resolve("privkey.pem");
  }

  /** The certificate a new connection is shown, checked against both test CAs. */
  private X509Certificate servedCertificate() throws Exception {
    javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
    context.init(null, new javax.net.ssl.TrustManager[] {trustingBoth()}, null);
    try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", server.port())) {
      socket.setSoTimeout(10_000);
      socket.startHandshake();
      return (X509Certificate) socket.getSession().getPeerCertificates()[0];
    }
  }

  private static X509TrustManager trustingBoth() throws Exception {
    java.security.KeyStore trusted = java.security.KeyStore.getInstance("PKCS12");
    trusted.load(null, null);
    trusted.setCertificateEntry("first", certificateIn(first.caPem()));
    trusted.setCertificateEntry("renewed", certificateIn(renewed.caPem()));
    TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(trusted);
    return (X509TrustManager) factory.getTrustManagers()[0];
  }

  /** The first certificate of a PEM file. */
  private static X509Certificate certificateIn(Path pem) throws Exception {
    String text = Files.readString(pem, StandardCharsets.US_ASCII);
    return (X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
        .generateCertificate(new java.io.ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII)));
  }
}
