package io.ollamaflow.core.http;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * Which client addresses a {@link FlowHttpServer} serves, decided from the connection's source
 * address right after accept, before any byte is read; a refused connection is closed without an
 * answer. An address in the deny list is refused; else one in the permit list is served; else
 * the {@link Mode} decides. So the deny list always wins, in either mode. Entries are IPv4 or IPv6
 * addresses or CIDR ranges ({@code 10.0.0.0/8}, {@code fd00::/8}); an IPv4 client reaching a
 * dual-stack listener is matched as IPv4. Immutable; {@link #permitAll()} or {@link #builder()}.
 */
public final class AccessControl {
  /** What happens to an address that is in neither list. */
  public enum Mode { DEFAULT_PERMIT, DEFAULT_DENY }

  private static final AccessControl PERMIT_ALL = builder().build();

  private final Mode mode;
  private final List<Range> permit;
  private final List<Range> deny;

  private AccessControl(Builder b) {
    mode = b.mode;
    permit = List.copyOf(b.permit);
    deny = List.copyOf(b.deny);
  }

  /** Serves every address: the default. */
  public static AccessControl permitAll() {
    return PERMIT_ALL;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Whether a connection from {@code address} is served. */
  public boolean permits(InetAddress address) {
    byte[] bytes = address.getAddress();
    if (matches(deny, bytes)) return false;
    return matches(permit, bytes) || mode == Mode.DEFAULT_PERMIT;
  }

  public Mode mode() {
    return mode;
  }

  /** The permit list as given, in CIDR form ({@code 10.0.0.0/8}, {@code ::1/128}). */
  public List<String> permitList() {
    return permit.stream().map(Range::toString).toList();
  }

  /** The deny list as given, in CIDR form. */
  public List<String> denyList() {
    return deny.stream().map(Range::toString).toList();
  }

  /** Whether every address is served: default-permit with nothing denied. */
  public boolean permitsAll() {
    return mode == Mode.DEFAULT_PERMIT && deny.isEmpty();
  }

  private static boolean matches(List<Range> ranges, byte[] address) {
    for (Range range : ranges) {
      if (range.contains(address)) return true;
    }
    return false;
  }

  @Override
  public String toString() {
    return "AccessControl[" + mode + ", permit " + permitList() + ", deny " + denyList() + "]";
  }

  /** An address range: the first {@code prefix} bits of {@code network}. */
  private record Range(byte[] network, int prefix) {
    boolean contains(byte[] address) {
      if (address.length != network.length) return false;
      int full = prefix / 8;
      for (int i = 0; i < full; i++) {
        if (address[i] != network[i]) return false;
      }
      int rest = prefix % 8;
      if (rest == 0) return true;
      int mask = 0xff << (8 - rest) & 0xff;
      return (address[full] & mask) == (network[full] & mask);
    }

    @Override
    public String toString() {
      try {
        return InetAddress.getByAddress(network).getHostAddress() + "/" + prefix;
      } catch (UnknownHostException impossible) {
        throw new IllegalStateException(impossible);
      }
    }
  }

  /** Default: {@link Mode#DEFAULT_PERMIT}, both lists empty. */
  public static final class Builder {
    private Mode mode = Mode.DEFAULT_PERMIT;
    private final List<Range> permit = new ArrayList<>();
    private final List<Range> deny = new ArrayList<>();

    private Builder() {}

    public Builder mode(Mode value) {
      if (value == null) throw new IllegalArgumentException("mode: null (expected: DEFAULT_PERMIT or DEFAULT_DENY)");
      mode = value;
      return this;
    }

    /**
     * Adds an address ({@code 192.168.1.20}, {@code ::1}) or CIDR range ({@code 10.0.0.0/8},
     * {@code fd00::/8}; host bits past the prefix are ignored) to the permit list.
     *
     * @throws IllegalArgumentException naming the entry and what is wrong with it
     */
    public Builder permit(String entry) {
      permit.add(parse(entry));
      return this;
    }

    /** Adds an address or CIDR range to the deny list, which wins over the permit list; see {@link #permit}. */
    public Builder deny(String entry) {
      deny.add(parse(entry));
      return this;
    }

    public AccessControl build() {
      return new AccessControl(this);
    }

    private static Range parse(String entry) {
      if (entry == null) throw new IllegalArgumentException("null (expected: an IP address or CIDR range)");
      String text = entry.strip();
      int slash = text.indexOf('/');
      String host = slash < 0 ? text : text.substring(0, slash);
      byte[] address = literal(host, entry);
      int bits = address.length * 8;
      int prefix = bits;
      if (slash >= 0) {
        String length = text.substring(slash + 1);
        if (!length.matches("\\d{1,3}") || Integer.parseInt(length) > bits) {
          throw new IllegalArgumentException("\"" + entry + "\": prefix length \"" + length + "\" (expected: 0-" + bits + ")");
        }
        prefix = Integer.parseInt(length);
      }
      return new Range(masked(address, prefix), prefix);
    }

    /** The address's bytes; a literal only, so a host name never triggers a DNS lookup. */
    private static byte[] literal(String host, String entry) {
      if (host.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
        byte[] bytes = new byte[4];
        String[] parts = host.split("\\.");
        for (int i = 0; i < 4; i++) {
          int part = Integer.parseInt(parts[i]);
          if (part > 255) throw new IllegalArgumentException("\"" + entry + "\": " + part + " is not an IPv4 byte (0-255)");
          bytes[i] = (byte) part;
        }
        return bytes;
      }
      // Hex digits, colons and an embedded IPv4 tail only: InetAddress then parses a literal and never resolves a name.
      if (host.indexOf(':') >= 0 && host.matches("[0-9A-Fa-f:.]+")) {
        try {
          InetAddress parsed = InetAddress.getByName(host);
          if (parsed instanceof Inet4Address) {
            throw new IllegalArgumentException("\"" + entry + "\": an IPv4-mapped IPv6 address; write it as IPv4 ("
                + parsed.getHostAddress() + ")");
          }
          return parsed.getAddress();
        } catch (UnknownHostException e) {
          // falls through to the error below
        }
      }
      throw new IllegalArgumentException("\"" + entry + "\": not an IP address or CIDR range (expected e.g. 10.0.0.5, "
          + "10.0.0.0/8, ::1 or fd00::/8)");
    }

    private static byte[] masked(byte[] address, int prefix) {
      byte[] network = address.clone();
      for (int bit = prefix; bit < network.length * 8; bit++) {
        network[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
      }
      return network;
    }
  }
}
