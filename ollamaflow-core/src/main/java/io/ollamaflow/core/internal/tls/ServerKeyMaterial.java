package io.ollamaflow.core.internal.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Date;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A server's private key and certificate chain, read from a PKCS#12 file or from PEM files, and
 * checked before the server starts: the certificate is valid now and the key is the one it
 * certifies. Every failure is an {@link IllegalArgumentException} naming the file and the problem.
 */
public final class ServerKeyMaterial {
  private static final Pattern PEM_BLOCK = Pattern.compile(
      "-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*?)-----END \\1-----");
  private static final char[] IN_MEMORY_PASSWORD = "in-memory".toCharArray();

  private final PrivateKey key;
  private final X509Certificate[] chain;

  private ServerKeyMaterial(PrivateKey key, X509Certificate[] chain) {
    this.key = key;
    this.chain = chain;
  }

  /** The first private key entry of a PKCS#12 file (.pfx, .p12) with its chain. */
  public static ServerKeyMaterial pkcs12(Path file, char[] password) {
    KeyStore store;
    try (InputStream in = Files.newInputStream(file)) {
      store = KeyStore.getInstance("PKCS12");
      store.load(in, password);
    } catch (IOException e) {
      if (e instanceof NoSuchFileException || !Files.isRegularFile(file)) throw cannotRead(file, e);
      if (e.getCause() instanceof UnrecoverableKeyException) {
        throw new IllegalArgumentException(file + ": wrong password (the PKCS#12 file's integrity check failed)");
      }
      throw new IllegalArgumentException(file + ": not a readable PKCS#12 file (" + e.getMessage() + ")");
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(file + ": not a readable PKCS#12 file (" + e.getMessage() + ")");
    }
    try {
      for (String alias : Collections.list(store.aliases())) {
        if (!store.isKeyEntry(alias)) continue;
        Key key = store.getKey(alias, password);
        Certificate[] chain = store.getCertificateChain(alias);
        if (!(key instanceof PrivateKey privateKey) || chain == null || chain.length == 0) continue;
        List<X509Certificate> certificates = new ArrayList<>();
        for (Certificate c : chain) certificates.add((X509Certificate) c);
        return new ServerKeyMaterial(privateKey, certificates.toArray(new X509Certificate[0]));
      }
    } catch (UnrecoverableKeyException e) {
      throw new IllegalArgumentException(file + ": wrong password for the private key");
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(file + ": cannot read the private key (" + e.getMessage() + ")");
    }
    throw new IllegalArgumentException(file + ": holds no private key with a certificate chain");
  }

  /**
   * A PEM certificate chain (the server's certificate first, then intermediates) and a PEM
   * private key: PKCS#8 ({@code BEGIN PRIVATE KEY}: RSA, EC, Ed25519/Ed448) or PKCS#1
   * ({@code BEGIN RSA PRIVATE KEY}), unencrypted.
   */
  public static ServerKeyMaterial pem(Path certificateChain, Path privateKey) {
    List<X509Certificate> chain = certificates(certificateChain);
    return new ServerKeyMaterial(privateKey(privateKey), chain.toArray(new X509Certificate[0]));
  }

  /** The certificates of a PEM file, in order; at least one. */
  public static List<X509Certificate> certificates(Path file) {
    List<X509Certificate> certificates = new ArrayList<>();
    try {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      for (PemBlock block : blocks(file)) {
        if (!block.label.equals("CERTIFICATE")) continue;
        certificates.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(block.der)));
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(file + ": a certificate cannot be read (" + e.getMessage() + ")");
    }
    if (certificates.isEmpty()) throw new IllegalArgumentException(file + ": no PEM certificate (BEGIN CERTIFICATE) in it");
    return certificates;
  }

  private static PrivateKey privateKey(Path file) {
    for (PemBlock block : blocks(file)) {
      switch (block.label) {
        case "PRIVATE KEY" -> {
          return pkcs8(block.der, file);
        }
        case "RSA PRIVATE KEY" -> {
          return pkcs8(Pkcs1.toPkcs8(block.der), file);
        }
        case "ENCRYPTED PRIVATE KEY", "EC PRIVATE KEY" -> throw new IllegalArgumentException(file + ": a " + block.label
            + " is not read; convert it to an unencrypted PKCS#8 key: openssl pkcs8 -topk8 -nocrypt -in " + file.getFileName()
            + " -out key.pem");
        default -> {
          // not a key: look further
        }
      }
    }
    throw new IllegalArgumentException(file + ": no PEM private key (BEGIN PRIVATE KEY or BEGIN RSA PRIVATE KEY) in it");
  }

  private static PrivateKey pkcs8(byte[] der, Path file) {
    for (String algorithm : new String[] {"RSA", "EC", "EdDSA", "RSASSA-PSS"}) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException notThisAlgorithm) {
        // try the next
      }
    }
    throw new IllegalArgumentException(file + ": the private key is not an RSA, EC or EdDSA PKCS#8 key");
  }

  /**
   * Checks the certificate's validity at {@code now} and that the key matches it.
   *
   * @throws IllegalArgumentException naming {@code source} and the problem
   */
  public ServerKeyMaterial check(Instant now, String source) {
    X509Certificate leaf = chain[0];
    try {
      leaf.checkValidity(Date.from(now));
    } catch (CertificateExpiredException e) {
      throw new IllegalArgumentException(source + ": the certificate for " + subject() + " expired on "
          + leaf.getNotAfter().toInstant());
    } catch (CertificateNotYetValidException e) {
      throw new IllegalArgumentException(source + ": the certificate for " + subject() + " is not valid before "
          + leaf.getNotBefore().toInstant());
    }
    if (!keyMatches(leaf)) {
      throw new IllegalArgumentException(source + ": the private key does not match the certificate for " + subject());
    }
    return this;
  }

  /** Signs a sample with the key and verifies it with the certificate's public key: works for every key type. */
  private boolean keyMatches(X509Certificate leaf) {
    String algorithm = switch (key.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      case "DSA" -> "SHA256withDSA";
      default -> key.getAlgorithm(); // EdDSA, Ed25519, Ed448 name their own signature
    };
    byte[] sample = "ollamaflow key check".getBytes(StandardCharsets.US_ASCII);
    try {
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(sample);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(leaf.getPublicKey());
      verifier.update(sample);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      // A key of another type than the certificate's cannot even be used to verify.
      return false;
    }
  }

  /** The server certificate's subject, for messages and the start-up log. */
  public String subject() {
    return chain[0].getSubjectX500Principal().getName();
  }

  public Instant notAfter() {
    return chain[0].getNotAfter().toInstant();
  }

  /**
   * A TLS context serving this key and chain; with {@code trustedClientIssuers}, client
   * certificates are checked against those.
   */
  public SSLContext context(List<X509Certificate> trustedClientIssuers) {
    try {
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      keys.setKeyEntry("server", key, IN_MEMORY_PASSWORD, chain);
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keys, IN_MEMORY_PASSWORD);
      TrustManagerFactory tmf = null;
      if (!trustedClientIssuers.isEmpty()) {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        for (int i = 0; i < trustedClientIssuers.size(); i++) trust.setCertificateEntry("ca" + i, trustedClientIssuers.get(i));
        tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
      }
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(kmf.getKeyManagers(), tmf == null ? null : tmf.getTrustManagers(), new SecureRandom());
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalArgumentException("cannot set up TLS with this key and certificate (" + e.getMessage() + ")", e);
    }
  }

  private record PemBlock(String label, byte[] der) {}

  private static List<PemBlock> blocks(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw cannotRead(file, e);
    }
    List<PemBlock> blocks = new ArrayList<>();
    Matcher m = PEM_BLOCK.matcher(text);
    while (m.find()) {
      try {
        blocks.add(new PemBlock(m.group(1), Base64.getMimeDecoder().decode(m.group(2))));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(file + ": a PEM " + m.group(1) + " block is not valid base64");
      }
    }
    if (blocks.isEmpty()) throw new IllegalArgumentException(file + ": not a PEM file (no -----BEGIN ...----- block)");
    return blocks;
  }

  private static IllegalArgumentException cannotRead(Path file, IOException e) {
    String why = e instanceof NoSuchFileException || !Files.exists(file) ? "no such file"
        : Files.isDirectory(file) ? "a directory, not a file" : e.getClass().getSimpleName();
    return new IllegalArgumentException(file + ": cannot read (" + why + ")");
  }
}
