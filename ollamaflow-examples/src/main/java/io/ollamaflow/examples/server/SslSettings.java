package io.ollamaflow.examples.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.ollamaflow.core.http.HttpServerOptions;
import io.ollamaflow.core.http.TlsOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * {@code Webserver.Ssl}: HTTPS for the listener, under OllamaFlow's names ({@code Enable},
 * {@code PfxCertificateFile}, {@code PfxCertificatePassword}, {@code MutuallyAuthenticate}) plus
 * PEM files ({@code PemCertificateFile}, {@code PemPrivateKeyFile}) and, for mutual TLS, the CAs
 * client certificates must come from ({@code ClientCaCertificateFile}). The files are read and
 * checked here, so a missing file, a wrong password, an expired certificate or a key that does not
 * match stops the server at start (exit 2). {@code ReloadIntervalMs} (ours, default 60000, 0 = never)
 * is how often the files are checked for a renewed certificate.
 */
final class SslSettings {
  private static final List<String> KEYS = List.of("Enable", "PfxCertificateFile", "PfxCertificatePassword",
      "PemCertificateFile", "PemPrivateKeyFile", "MutuallyAuthenticate", "ClientCaCertificateFile",
      "AcceptInvalidAcertificates", "ReloadIntervalMs");

  private SslSettings() {}

  /**
   * Adds TLS to {@code options} when {@code Enable} is true.
   *
   * @param ssl the {@code Ssl} object, or null when the file has none
   * @throws IllegalArgumentException naming the key or file and what is wrong
   */
  static void apply(JsonNode ssl, HttpServerOptions.Builder options) {
    SettingsSection section = SettingsSection.of(ssl, "Webserver.Ssl", KEYS);
    if (section == null || !section.bool("Enable", false)) return;
    String pfx = section.text("PfxCertificateFile", false);
    String pem = section.text("PemCertificateFile", false);
    String pemKey = section.text("PemPrivateKeyFile", false);
    String password = section.text("PfxCertificatePassword", true);
    TlsOptions.Builder tls;
    if (pfx != null) {
      if (pem != null || pemKey != null) {
        throw new IllegalArgumentException("Webserver.Ssl: set PfxCertificateFile or PemCertificateFile with PemPrivateKeyFile, not both");
      }
      tls = TlsOptions.pkcs12(Path.of(pfx), password == null ? new char[0] : password.toCharArray());
    } else if (pem != null && pemKey != null) {
      if (password != null) {
        throw new IllegalArgumentException("Webserver.Ssl.PfxCertificatePassword: set only with PfxCertificateFile (PEM keys are read unencrypted)");
      }
      tls = TlsOptions.pem(Path.of(pem), Path.of(pemKey));
    } else {
      throw new IllegalArgumentException("Webserver.Ssl: Enable is true but no certificate is set (expected: "
          + "PfxCertificateFile, or PemCertificateFile with PemPrivateKeyFile)");
    }
    tls.reloadInterval(Duration.ofMillis(section.nonNegative("ReloadIntervalMs", 60_000)));
    String clientCas = section.text("ClientCaCertificateFile", false);
    boolean mutual = section.bool("MutuallyAuthenticate", false);
    if (mutual) {
      if (clientCas == null) {
        throw new IllegalArgumentException("Webserver.Ssl.MutuallyAuthenticate: true needs ClientCaCertificateFile, "
            + "the PEM file of the CAs whose client certificates are accepted");
      }
      if (section.bool("AcceptInvalidAcertificates", false)) {
        throw new IllegalArgumentException("Webserver.Ssl.AcceptInvalidAcertificates: true is not supported with "
            + "MutuallyAuthenticate (client certificates are always checked against ClientCaCertificateFile); set it to false");
      }
      tls.requireClientCertificate(Path.of(clientCas));
    } else if (clientCas != null) {
      throw new IllegalArgumentException("Webserver.Ssl.ClientCaCertificateFile: set only with \"MutuallyAuthenticate\": true");
    }
    try {
      options.tls(tls.build());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("Webserver.Ssl: " + e.getMessage(), e);
    }
  }
}
