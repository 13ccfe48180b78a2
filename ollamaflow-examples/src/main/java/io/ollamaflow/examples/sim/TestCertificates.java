package io.ollamaflow.examples.sim;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * A throw-away certificate authority with a server certificate (for localhost, 127.0.0.1 and
 * ::1) and a client certificate it issued, for TLS tests and the benchmark. The JDK has no public
 * API to make certificates, so the JDK's own {@code keytool} makes the keys and signs them (it is
 * wherever a JDK is); the files it cannot write (PEM keys, PKCS#12 files holding a whole chain)
 * are assembled here with the JDK's key store API. Every file sits in the directory given.
 */
public final class TestCertificates {
  public static final String PASSWORD = "test-password";

  private final Path dir;
  private final X509Certificate ca;

  private TestCertificates(Path dir, X509Certificate ca) {
    this.dir = dir;
    this.ca = ca;
  }

  /** Makes the CA, the server's and the client's keys and certificates in {@code dir} (about seven keytool runs). */
  public static TestCertificates create(Path dir) throws IOException {
    Files.createDirectories(dir);
    keytool("-genkeypair", "-keystore", dir.resolve("ca.p12"), "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1",
        "-dname", "CN=OllamaFlow Test CA", "-ext", "bc:c", "-validity", "30");
    X509Certificate ca;
    try {
      ca = (X509Certificate) load(dir.resolve("ca.p12")).getCertificate("ca");
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot read the CA certificate", e);
    }
    writePem(dir.resolve("ca.pem"), "CERTIFICATE", der(ca));
    TestCertificates certificates = new TestCertificates(dir, ca);
    certificates.issue("server", "RSA", "CN=localhost", "SAN=dns:localhost,ip:127.0.0.1,ip:::1", "EKU=serverAuth");
    certificates.issue("client", "EC", "CN=test client", null, "EKU=clientAuth");
    return certificates;
  }

  /** The CA's certificate (PEM): what a client trusts ({@code curl --cacert}), and what a server trusts for client certificates. */
  public Path caPem() {
    return dir.resolve("ca.pem");
  }

  /** The server's key with its chain (server, CA), protected by {@link #PASSWORD}. */
  public Path serverPkcs12() {
    return dir.resolve("server.p12");
  }

  /** The server's certificate chain, PEM: the server's certificate then the CA's. */
  public Path serverChainPem() {
    return dir.resolve("server-chain.pem");
  }

  /** The server's private key, unencrypted PKCS#8 PEM. */
  public Path serverKeyPem() {
    return dir.resolve("server-key.pem");
  }

  public Path clientPkcs12() {
    return dir.resolve("client.p12");
  }

  public Path clientCertificatePem() {
    return dir.resolve("client-chain.pem");
  }

  public Path clientKeyPem() {
    return dir.resolve("client-key.pem");
  }

  /** A self-signed server key and certificate whose validity ended yesterday, as PKCS#12. */
  public Path expiredPkcs12() throws IOException {
    Path file = dir.resolve("expired.p12");
    if (!Files.exists(file)) {
      keytool("-genkeypair", "-keystore", file, "-alias", "expired", "-keyalg", "EC", "-groupname", "secp256r1",
          "-dname", "CN=localhost", "-startdate", "-3d", "-validity", "2");
    }
    return file;
  }

  /** A client TLS context trusting the CA; with the client's certificate when {@code withClientCertificate}. */
  public SSLContext clientContext(boolean withClientCertificate) {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      KeyManagerFactory keys = null;
      if (withClientCertificate) {
        keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(load(clientPkcs12()), PASSWORD.toCharArray());
      }
      context.init(keys == null ? null : keys.getKeyManagers(), new X509TrustManager[] {trustManager()}, null);
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Trusts certificates the CA issued, and nothing else. */
  public X509TrustManager trustManager() {
    try {
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry("ca", ca);
      TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(trust);
      return (X509TrustManager) factory.getTrustManagers()[0];
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A key pair for {@code name}, its certificate signed by the CA, written as PKCS#12 (with chain) and as PEM. */
  private void issue(String name, String algorithm, String subject, String san, String usage) throws IOException {
    Path own = dir.resolve(name + "-self.p12");
    Path request = dir.resolve(name + ".csr");
    Path signed = dir.resolve(name + ".crt");
    keytool("-genkeypair", "-keystore", own, "-alias", name, "-keyalg", algorithm, "-dname", subject, "-validity", "30");
    keytool("-certreq", "-keystore", own, "-alias", name, "-file", request);
    List<Object> sign = new ArrayList<>(List.of("-gencert", "-keystore", dir.resolve("ca.p12"), "-alias", "ca",
        "-infile", request, "-outfile", signed, "-validity", "30", "-ext", usage));
    if (san != null) sign.addAll(List.of("-ext", san));
    keytool(sign.toArray());
    try {
      PrivateKey key = (PrivateKey) load(own).getKey(name, PASSWORD.toCharArray());
      X509Certificate certificate;
      try (InputStream in = Files.newInputStream(signed)) {
        certificate = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
      }
      Certificate[] chain = {certificate, ca};
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry(name, key, PASSWORD.toCharArray(), chain);
      try (OutputStream out = Files.newOutputStream(dir.resolve(name + ".p12"))) {
        store.store(out, PASSWORD.toCharArray());
      }
      writePem(dir.resolve(name + "-chain.pem"), "CERTIFICATE", der(certificate), der(ca));
      writePem(dir.resolve(name + "-key.pem"), "PRIVATE KEY", key.getEncoded());
    } catch (GeneralSecurityException e) {
      throw new IOException("assembling the " + name + " key store failed", e);
    }
  }

  private static KeyStore load(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(in, PASSWORD.toCharArray());
      return store;
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot read " + file, e);
    }
  }

  private static byte[] der(Certificate certificate) {
    try {
      return certificate.getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void writePem(Path file, String label, byte[]... ders) throws IOException {
    StringBuilder pem = new StringBuilder();
    for (byte[] der : ders) {
      pem.append("-----BEGIN ").append(label).append("-----\n")
          .append(Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der))
          .append("\n-----END ").append(label).append("-----\n");
    }
    Files.writeString(file, pem, StandardCharsets.US_ASCII);
  }

  /** Runs the JDK's keytool with the common store type and password; fails with its output if it fails. */
  private static void keytool(Object... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    for (Object arg : args) command.add(arg.toString());
    command.addAll(List.of("-storetype", "PKCS12", "-storepass", PASSWORD, "-noprompt"));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
        process.destroyForcibly();
        throw new IOException("keytool " + args[0] + " failed: " + output.strip());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while keytool ran", e);
    }
  }
}
