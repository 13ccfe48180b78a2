package io.ollamaflow.core.internal.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.ollamaflow.api.Frontend;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

class RouteTableTest {
  private static final OkHttpClient CLIENT = new OkHttpClient();

  private static FrontendSnapshot snapshot(String id, String hostname) {
    Frontend frontend = Frontend.builder(id).hostname(hostname).build();
    return new FrontendSnapshot(frontend, List.of(), (c, ctx) -> c.get(0), "round-robin", CLIENT);
  }

  /** A table as ClusterState builds one: '*' is the catch-all, other hosts keyed in lower case. */
  private static RouteTable table(FrontendSnapshot... routes) {
    Map<String, FrontendSnapshot> byHost = new HashMap<>();
    FrontendSnapshot catchAll = null;
    for (FrontendSnapshot r : routes) {
      if (r.frontend().hostname().equals(Frontend.ANY_HOST)) catchAll = r;
      else byHost.put(RouteTable.key(r.frontend()), r);
    }
    return new RouteTable(byHost, catchAll, java.util.List.of(routes));
  }

  @Test
  void exactHostBeatsCatchAll() {
    FrontendSnapshot exact = snapshot("exact", "api.example.com");
    FrontendSnapshot any = snapshot("any", "*");
    RouteTable table = table(any, exact);

    assertThat(table.match("api.example.com")).isSameAs(exact);
    assertThat(table.match("other.example.com")).isSameAs(any);
  }

  @Test
  void hostMatchIsCaseInsensitive() {
    FrontendSnapshot exact = snapshot("exact", "Api.Example.COM");
    RouteTable table = table(exact);

    assertThat(table.match("api.example.com")).isSameAs(exact);
    assertThat(table.match("API.EXAMPLE.COM")).isSameAs(exact);
  }

  @Test
  void portIsIgnored() {
    FrontendSnapshot exact = snapshot("exact", "api.example.com");
    RouteTable table = table(exact, snapshot("any", "*"));

    assertThat(table.match("api.example.com:8080")).isSameAs(exact);
    assertThat(table.match("API.example.com:443")).isSameAs(exact);
  }

  @Test
  void bracketedIpv6WithPortMatchesIpv6Hostname() {
    FrontendSnapshot v6 = snapshot("v6", "::1");
    RouteTable table = table(v6, snapshot("any", "*"));

    assertThat(table.match("[::1]:8080")).isSameAs(v6);
    assertThat(table.match("[::1]")).isSameAs(v6);
  }

  @Test
  void bareIpv6WithoutPortMatchesIpv6Hostname() {
    FrontendSnapshot v6 = snapshot("v6", "fe80::1");
    RouteTable table = table(v6);

    assertThat(table.match("fe80::1")).isSameAs(v6);
  }

  @Test
  void nullHostFallsToCatchAll() {
    FrontendSnapshot any = snapshot("any", "*");
    RouteTable table = table(snapshot("exact", "api.example.com"), any);

    assertThat(table.match(null)).isSameAs(any);
  }

  @Test
  void noCatchAllGivesNullForUnknownOrMissingHost() {
    RouteTable table = table(snapshot("exact", "api.example.com"));

    assertThat(table.match("other.example.com")).isNull();
    assertThat(table.match(null)).isNull();
  }

  @Test
  void onlyCatchAllServesEveryHost() {
    FrontendSnapshot any = snapshot("any", "*");
    RouteTable table = table(any);

    assertThat(table.match("a.example.com")).isSameAs(any);
    assertThat(table.match("localhost:11434")).isSameAs(any);
  }

  @Test
  void emptyTableMatchesNothing() {
    assertThat(RouteTable.EMPTY.match("api.example.com")).isNull();
    assertThat(RouteTable.EMPTY.match(null)).isNull();
  }

  @Test
  void hostOnlyStripsPortAndBracketsAndLowerCases() {
    assertThat(RouteTable.hostOnly("Example.com:8080")).isEqualTo("example.com");
    assertThat(RouteTable.hostOnly(" example.com ")).isEqualTo("example.com");
    assertThat(RouteTable.hostOnly("[::1]:80")).isEqualTo("::1");
    assertThat(RouteTable.hostOnly("::1")).isEqualTo("::1");
  }
}
