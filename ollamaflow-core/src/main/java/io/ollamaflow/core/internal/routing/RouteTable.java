package io.ollamaflow.core.internal.routing;

import io.ollamaflow.api.Frontend;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** An immutable routing snapshot: Host name to frontend. Read by request threads without locks. */
public final class RouteTable {
  public static final RouteTable EMPTY = new RouteTable(Map.of(), null, List.of());

  private final Map<String, FrontendSnapshot> byHost;
  private final FrontendSnapshot catchAll;
  private final List<FrontendSnapshot> all;

  /**
   * @param byHost keys in lower case
   * @param all every frontend, served or not (a frontend repeating another's hostname is not served)
   */
  public RouteTable(Map<String, FrontendSnapshot> byHost, FrontendSnapshot catchAll, List<FrontendSnapshot> all) {
    this.byHost = Map.copyOf(byHost);
    this.catchAll = catchAll;
    this.all = List.copyOf(all);
  }

  /** The frontend with this identifier; null if it is gone. */
  public FrontendSnapshot frontend(String identifier) {
    for (FrontendSnapshot snapshot : all) {
      if (snapshot.frontend().identifier().equals(identifier)) return snapshot;
    }
    return null;
  }

  /** Every configured frontend. */
  public List<FrontendSnapshot> frontends() {
    return all;
  }

  /**
   * The frontend for a Host header value: an exact, case-insensitive match of the host part
   * (port ignored) wins over the catch-all {@code *}; null when neither exists.
   */
  public FrontendSnapshot match(String hostHeader) {
    if (hostHeader != null && !byHost.isEmpty()) {
      FrontendSnapshot exact = byHost.get(hostOnly(hostHeader));
      if (exact != null) return exact;
    }
    return catchAll;
  }

  /** {@code Example.com:8080} is {@code example.com}; {@code [::1]:80} is {@code ::1}. */
  static String hostOnly(String hostHeader) {
    String host = hostHeader.trim();
    if (host.startsWith("[")) {
      int end = host.indexOf(']');
      host = end > 0 ? host.substring(1, end) : host;
    } else {
      int colon = host.indexOf(':');
      // More than one colon is a bare IPv6 literal without a port.
      if (colon >= 0 && host.indexOf(':', colon + 1) < 0) host = host.substring(0, colon);
    }
    return host.toLowerCase(Locale.ROOT);
  }

  public static String key(Frontend frontend) {
    return frontend.hostname().toLowerCase(Locale.ROOT);
  }
}
