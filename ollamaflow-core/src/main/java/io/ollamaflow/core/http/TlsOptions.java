package io.ollamaflow.core.http;

import io.ollamaflow.core.internal.tls.ServerKeyMaterial;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * TLS for a {@link FlowHttpServer} ({@link HttpServerOptions.Builder#tls}): the server's key and
 * certificate chain, from a PKCS#12 file ({@link #pkcs12}) or PEM files ({@link #pem}), and
 * optionally a demand for client certificates issued by given CAs (mutual TLS). TLS 1.2 and 1.3
 * only. The files are read and checked when {@link Builder#build()} runs, so a missing file, a
 * wrong password, a certificate that is expired or not yet valid, or a key that does not match
 * the certificate fails there, naming the file. Immutable: the files are not read again.
 */
public final class TlsOptions {
  private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

  private final SSLContext context;
  private final boolean clientCertificateRequired;
  private final String subject;
  private final Instant notAfter;

  private TlsOptions(SSLContext context, boolean clientCertificateRequired, String subject, Instant notAfter) {
    this.context = context;
    this.clientCertificateRequired = clientCertificateRequired;
    this.subject = subject;
    this.notAfter = notAfter;
  }

  /** The key and chain of a PKCS#12 file (.pfx, .p12): its first private key entry. */
  public static Builder pkcs12(Path file, char[] password) {
    if (file == null) throw new IllegalArgumentException("PKCS#12 file: null");
    char[] copy = password == null ? new char[0] : password.clone();
    return new Builder(() -> ServerKeyMaterial.pkcs12(file, copy), file.toString());
  }

  /**
   * A PEM certificate chain (the server's certificate first, then any intermediates) and an
   * unencrypted PEM private key, PKCS#8 ({@code BEGIN PRIVATE KEY}: RSA, EC, EdDSA) or PKCS#1
   * ({@code BEGIN RSA PRIVATE KEY}).
   */
  public static Builder pem(Path certificateChain, Path privateKey) {
    if (certificateChain == null || privateKey == null) throw new IllegalArgumentException("PEM files: null");
    return new Builder(() -> ServerKeyMaterial.pem(certificateChain, privateKey), certificateChain + " with " + privateKey);
  }

  /** Whether clients must present a certificate issued by one of the trusted CAs (mutual TLS). */
  public boolean clientCertificateRequired() {
    return clientCertificateRequired;
  }

  /** The server certificate's subject, e.g. {@code CN=localhost}. */
  public String certificateSubject() {
    return subject;
  }

  /** When the server certificate expires. */
  public Instant certificateNotAfter() {
    return notAfter;
  }

  /** The context that serves the key and chain, for a server socket layered on an accepted connection. */
  public SSLContext sslContext() {
    return context;
  }

  /** TLS 1.2 and 1.3, and the client certificate demand: what every connection is set to. */
  public SSLParameters parameters() {
    SSLParameters parameters = context.getDefaultSSLParameters();
    List<String> supported = Arrays.asList(context.getSupportedSSLParameters().getProtocols());
    parameters.setProtocols(Arrays.stream(PROTOCOLS).filter(supported::contains).toArray(String[]::new));
    parameters.setNeedClientAuth(clientCertificateRequired);
    return parameters;
  }

  @Override
  public String toString() {
    return "TlsOptions[" + subject + ", until " + notAfter + (clientCertificateRequired ? ", client certificates required" : "") + "]";
  }

  public static final class Builder {
    private final Supplier<ServerKeyMaterial> material;
    private final String source;
    private Path clientCas;
    private Clock clock = Clock.systemUTC();

    private Builder(Supplier<ServerKeyMaterial> material, String source) {
      this.material = material;
      this.source = source;
    }

    /**
     * Requires every client to present a certificate issued by a CA in {@code trustedCas} (a PEM
     * file of one or more certificates); a client without one fails the handshake.
     */
    public Builder requireClientCertificate(Path trustedCas) {
      if (trustedCas == null) throw new IllegalArgumentException("client CA file: null");
      clientCas = trustedCas;
      return this;
    }

    /** The clock the certificate's validity is checked against; the system's by default. */
    public Builder clock(Clock value) {
      if (value == null) throw new IllegalArgumentException("clock: null");
      clock = value;
      return this;
    }

    /**
     * Reads and checks the files.
     *
     * @throws IllegalArgumentException naming the file and what is wrong: missing or unreadable,
     *     wrong password, no key, expired or not yet valid, key and certificate not matching
     */
    public TlsOptions build() {
      ServerKeyMaterial key = material.get().check(clock.instant(), source);
      List<X509Certificate> trusted = clientCas == null ? List.of() : ServerKeyMaterial.certificates(clientCas);
      return new TlsOptions(key.context(trusted), clientCas != null, key.subject(), key.notAfter());
    }
  }
}
