package io.ollamaflow.core.internal.proxy;

import java.util.Locale;
import java.util.Set;

/** Headers that describe one connection, not the message, and so are never copied across the proxy. */
final class HopByHop {
  private static final Set<String> NAMES = Set.of("connection", "keep-alive", "proxy-authenticate",
      "proxy-authorization", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade",
      // Set by the proxy itself for the next hop:
      "host", "content-length", "expect");

  private HopByHop() {}

  static boolean is(String name) {
    return NAMES.contains(name.toLowerCase(Locale.ROOT));
  }
}
