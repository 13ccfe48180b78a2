package io.ollamaflow.core.internal.tls;

import java.io.ByteArrayOutputStream;

/**
 * Wraps a PKCS#1 RSA private key ({@code BEGIN RSA PRIVATE KEY}, what older OpenSSL writes) in
 * the PKCS#8 structure the JDK reads: {@code SEQUENCE { INTEGER 0, SEQUENCE { rsaEncryption,
 * NULL }, OCTET STRING { the PKCS#1 key } }}.
 */
final class Pkcs1 {
  private static final byte[] VERSION_AND_RSA_ALGORITHM = {
    0x02, 0x01, 0x00,
    0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00,
  };

  private Pkcs1() {}

  static byte[] toPkcs8(byte[] pkcs1) {
    ByteArrayOutputStream octets = new ByteArrayOutputStream();
    octets.write(0x04);
    length(octets, pkcs1.length);
    octets.writeBytes(pkcs1);
    ByteArrayOutputStream info = new ByteArrayOutputStream();
    info.write(0x30);
    length(info, VERSION_AND_RSA_ALGORITHM.length + octets.size());
    info.writeBytes(VERSION_AND_RSA_ALGORITHM);
    info.writeBytes(octets.toByteArray());
    return info.toByteArray();
  }

  /** A DER length: short form below 128, else the count of length bytes, then the length big-endian. */
  private static void length(ByteArrayOutputStream out, int length) {
    if (length < 128) {
      out.write(length);
      return;
    }
    int bytes = (Integer.SIZE - Integer.numberOfLeadingZeros(length) + 7) / 8;
    out.write(0x80 | bytes);
    for (int i = bytes - 1; i >= 0; i--) out.write(length >>> (8 * i));
  }
}
