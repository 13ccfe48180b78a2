package io.ollamaflow.core.internal.proxy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import okhttp3.Headers;

/**
 * Headers that describe one connection, not the message, and so are never copied across the
 * proxy: a fixed list, plus whatever the message's own {@code Connection} header names (RFC 9110
 * section 7.6.1: {@code Connection: Upgrade, HTTP2-Settings} makes {@code HTTP2-Settings} hop-by-hop).
 */
final class HopByHop {
  private static final List<String> NAMES = List.of("connection", "keep-alive", "proxy-authenticate",
      "proxy-authorization", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade",
      // Set by the proxy itself for the next hop:
      "host", "content-length", "expect");

  /** The names one message's {@code Connection} headers list, lower case; empty for most messages. */
  private final Set<String> named;

  private static final HopByHop NONE_NAMED = new HopByHop(Set.of());

  private HopByHop(Set<String> named) {
    this.named = named;
  }

  /** The test for a client's request. */
  static HopByHop forRequest(ProxyCall exchange) {
    List<String> connection = new ArrayList<>(1);
    exchange.forEachRequestHeader((name, value) -> {
      if (name.equalsIgnoreCase("Connection")) connection.add(value);
    });
    return of(connection);
  }

  /** The test for a backend's response. */
  static HopByHop forResponse(Headers headers) {
    return of(headers.values("Connection"));
  }

  private static HopByHop of(List<String> connectionValues) {
    if (connectionValues.isEmpty()) return NONE_NAMED;
    Set<String> named = new HashSet<>();
    for (String value : connectionValues) {
      for (String token : value.split(",")) {
        String listed = token.trim().toLowerCase(Locale.ROOT);
        if (!listed.isEmpty()) named.add(listed);
      }
    }
    return new HopByHop(named);
  }

  /** Asked for every header of every message: compares in place, without a lower-cased copy. */
  boolean drops(String name) {
    for (String fixed : NAMES) {
      if (fixed.equalsIgnoreCase(name)) return true;
    }
    return !named.isEmpty() && named.contains(name.toLowerCase(Locale.ROOT));
  }
}
