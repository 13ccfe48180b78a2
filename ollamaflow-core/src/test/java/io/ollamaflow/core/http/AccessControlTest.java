package io.ollamaflow.core.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Test;

class AccessControlTest {
  @Test
  void theDenyListWinsOverThePermitListInBothModes() throws Exception {
    for (AccessControl.Mode mode : AccessControl.Mode.values()) {
      AccessControl access = AccessControl.builder().mode(mode).permit("10.0.0.0/8").deny("10.0.0.66").build();

      assertThat(access.permits(ip("10.1.2.3"))).as(mode + ": permitted range").isTrue();
      assertThat(access.permits(ip("10.0.0.66"))).as(mode + ": denied inside the permitted range").isFalse();
    }
  }

  @Test
  void anAddressInNeitherListFollowsTheMode() throws Exception {
    AccessControl permit = AccessControl.builder().deny("192.168.0.0/16").build();
    AccessControl deny = AccessControl.builder().mode(AccessControl.Mode.DEFAULT_DENY).permit("127.0.0.1").build();

    assertThat(permit.permits(ip("8.8.8.8"))).isTrue();
    assertThat(permit.permits(ip("192.168.4.4"))).isFalse();
    assertThat(deny.permits(ip("127.0.0.1"))).isTrue();
    assertThat(deny.permits(ip("127.0.0.2"))).isFalse();
    assertThat(AccessControl.permitAll().permits(ip("::1"))).isTrue();
  }

  @Test
  void matchesIpv6RangesAndNeverMatchesAnIpv4AddressAgainstThem() throws Exception {
    AccessControl access = AccessControl.builder().mode(AccessControl.Mode.DEFAULT_DENY)
        .permit("fd00::/8").permit("2001:db8:0:1::/63").build();

    assertThat(access.permits(ip("fd12:3456::1"))).isTrue();
    assertThat(access.permits(ip("2001:db8:0:1::5"))).isTrue();
    assertThat(access.permits(ip("2001:db8:0:0:ffff::1"))).as("bit 63 clear: in the /63").isTrue();
    assertThat(access.permits(ip("2001:db8:0:2::1"))).isFalse();
    assertThat(access.permits(ip("fe80::1"))).isFalse();
    assertThat(access.permits(ip("253.0.0.1"))).as("fd.. as IPv4 bytes").isFalse();
  }

  @Test
  void aCidrWithHostBitsSetCoversItsWholeNetworkAndIsShownAsTheNetwork() throws Exception {
    AccessControl access = AccessControl.builder().mode(AccessControl.Mode.DEFAULT_DENY).permit("192.168.1.77/24").build();

    assertThat(access.permits(ip("192.168.1.1"))).isTrue();
    assertThat(access.permits(ip("192.168.2.1"))).isFalse();
    assertThat(access.permitList()).containsExactly("192.168.1.0/24");
  }

  @Test
  void badEntriesAreRefusedNamingTheEntryWithoutADnsLookup() {
    AccessControl.Builder b = AccessControl.builder();

    assertThatThrownBy(() -> b.permit("10.0.0.0/33")).hasMessage("\"10.0.0.0/33\": prefix length \"33\" (expected: 0-32)");
    assertThatThrownBy(() -> b.permit("::1/129")).hasMessage("\"::1/129\": prefix length \"129\" (expected: 0-128)");
    assertThatThrownBy(() -> b.deny("10.0.0.256")).hasMessage("\"10.0.0.256\": 256 is not an IPv4 byte (0-255)");
    assertThatThrownBy(() -> b.deny("example.com")).hasMessageStartingWith("\"example.com\": not an IP address or CIDR range");
    assertThatThrownBy(() -> b.deny("10.1")).hasMessageStartingWith("\"10.1\": not an IP address or CIDR range");
    assertThatThrownBy(() -> b.deny("1::2::3")).hasMessageStartingWith("\"1::2::3\": not an IP address or CIDR range");
    assertThatThrownBy(() -> b.deny("10.0.0.0/")).hasMessage("\"10.0.0.0/\": prefix length \"\" (expected: 0-32)");
    assertThatThrownBy(() -> b.deny("::ffff:10.0.0.1"))
        .hasMessage("\"::ffff:10.0.0.1\": an IPv4-mapped IPv6 address; write it as IPv4 (10.0.0.1)");
    assertThatThrownBy(() -> b.mode(null)).isInstanceOf(IllegalArgumentException.class);
  }

  private static InetAddress ip(String literal) throws UnknownHostException {
    return InetAddress.getByName(literal);
  }
}
