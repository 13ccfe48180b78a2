package io.ollamaflow.core.internal.proxy;

import java.io.IOException;
import java.io.InputStream;

/**
 * What {@link BodyLog} writes of one body: its first bytes (at most {@link BodyLog#MAX_BYTES}) and
 * its whole length.
 *
 * @param bytes the first bytes; only the first {@code size} count
 */
record BodyExcerpt(byte[] bytes, int size, long total) {
  /** The start of what {@code bytes} holds so far; read before it is closed. */
  static BodyExcerpt of(BodyBuffer bytes) throws IOException {
    try (InputStream in = bytes.open()) {
      byte[] first = in.readNBytes(BodyLog.MAX_BYTES);
      return new BodyExcerpt(first, first.length, bytes.size());
    }
  }
}
