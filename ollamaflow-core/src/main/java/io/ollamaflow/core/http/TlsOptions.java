package io.ollamaflow.core.http;

import io.ollamaflow.core.internal.tls.ServerKeyMaterial;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
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
 * the certificate fails there, naming the file. Immutable; a server checks the files again every
 * {@link Builder#reloadInterval} and serves new connections from them once they changed and pass
 * the same checks ({@link #reloadedIfChanged}), so a renewed certificate needs no restart.
 */
public final class TlsOptions {
  private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

  private final SSLContext context;
  private final boolean clientCertificateRequired;
  private final String subject;
  private final Instant notAfter;
  /** How these options were made, to make them again from the same files. */
  private final Recipe recipe;
  /** The size and modification time of each file when it was read. */
  private final List<String> stamps;

  private TlsOptions(SSLContext context, boolean clientCertificateRequired, String subject, Instant notAfter,
      Recipe recipe, List<String> stamps) {
    this.context = context;
    this.clientCertificateRequired = clientCertificateRequired;
    this.subject = subject;
    this.notAfter = notAfter;
    this.recipe = recipe;
    this.stamps = stamps;
  }

  /** The key and chain of a PKCS#12 file (.pfx, .p12): its first private key entry. */
  public static Builder pkcs12(Path file, char[] password) {
    if (file == null) throw new IllegalArgumentException("PKCS#12 file: null");
    char[] copy = password == null ? new char[0] : password.clone();
    return new Builder(() -> ServerKeyMaterial.pkcs12(file, copy), file.toString(), List.of(file));
  }

  /**
   * A PEM certificate chain (the server's certificate first, then any intermediates) and an
   * unencrypted PEM private key, PKCS#8 ({@code BEGIN PRIVATE KEY}: RSA, EC, EdDSA) or PKCS#1
   * ({@code BEGIN RSA PRIVATE KEY}).
   */
  public static Builder pem(Path certificateChain, Path privateKey) {
    if (certificateChain == null || privateKey == null) throw new IllegalArgumentException("PEM files: null");
    return new Builder(() -> ServerKeyMaterial.pem(certificateChain, privateKey), certificateChain + " with " + privateKey,
        List.of(certificateChain, privateKey));
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

  /** How often a server checks the files for a renewed certificate; zero when it does not. */
  public Duration reloadInterval() {
    return recipe.reloadInterval;
  }

  /**
   * These options read again from their files when the content of any of them changed since
   * these were read; these options themselves when none did.
   *
   * @throws IllegalArgumentException when the changed files fail the checks {@link Builder#build()}
   *     makes (a key written before its certificate, say): keep serving with these until they pass
   */
  public TlsOptions reloadedIfChanged() {
    return stampsOf(recipe.files).equals(stamps) ? this : recipe.read();
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

  /** What {@link Builder#build()} was given, fixed: a builder changed later changes no options made from it. */
  private record Recipe(Supplier<ServerKeyMaterial> material, String source, List<Path> files, Path clientCas,
      Clock clock, Duration reloadInterval) {
    TlsOptions read() {
      // Stamped before reading: a file changed while it is read is read again at the next check.
      List<String> stamps = stampsOf(files);
      ServerKeyMaterial key = material.get().check(clock.instant(), source);
      List<X509Certificate> trusted = clientCas == null ? List.of() : ServerKeyMaterial.certificates(clientCas);
      return new TlsOptions(key.context(trusted), clientCas != null, key.subject(), key.notAfter(), this, stamps);
    }
  }

  /**
   * One entry per file: a digest of its content (a few kilobytes, read at each check), or why it
   * cannot be read. Content, not modification times, so a file rewritten within the same instant
   * is noticed, and one touched without change is not read again.
   */
  private static List<String> stampsOf(List<Path> files) {
    return files.stream().map(file -> {
      try {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
      } catch (IOException | NoSuchAlgorithmException e) {
        return "unreadable: " + e;
      }
    }).toList();
  }

  public static final class Builder {
    private final Supplier<ServerKeyMaterial> material;
    private final String source;
    private final List<Path> keyFiles;
    private Path clientCas;
    private Clock clock = Clock.systemUTC();
    private Duration reloadInterval = Duration.ofMinutes(1);

    private Builder(Supplier<ServerKeyMaterial> material, String source, List<Path> keyFiles) {
      this.material = material;
      this.source = source;
      this.keyFiles = keyFiles;
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

    /**
     * How often a server checks the files for a change (a renewed certificate) and serves new
     * connections from the new files once they pass the checks; connections already open keep
     * theirs. One minute by default; {@link Duration#ZERO} never checks.
     */
    public Builder reloadInterval(Duration value) {
      if (value == null || value.isNegative()) throw new IllegalArgumentException("TLS reload interval: " + value);
      reloadInterval = value;
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
      List<Path> files = new ArrayList<>(keyFiles);
      if (clientCas != null) files.add(clientCas);
      return new Recipe(material, source, List.copyOf(files), clientCas, clock, reloadInterval).read();
    }
  }
}
