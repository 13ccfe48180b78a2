package io.ollamaflow.core.http;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Access control through real sockets: the server listens on loopback and clients connect from
 * other loopback addresses (Linux routes all of 127.0.0.0/8 to loopback, so 127.0.0.2 is another
 * client) and from ::1.
 */
class FlowHttpServerAccessControlTest {
  private static final String REQUEST = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";

  private final AtomicInteger handled = new AtomicInteger();
  private FlowHttpServer server;

  @AfterEach
  void stop() {
    if (server != null) server.close();
  }

  @Test
  void aDeniedAddressIsClosedUnansweredAndNeverReachesTheHandlerWhileOthersAreServed() throws Exception {
    start(new InetSocketAddress("127.0.0.1", 0), AccessControl.builder().mode(AccessControl.Mode.DEFAULT_DENY)
        .permit("127.0.0.0/30").deny("127.0.0.2"));

    assertThat(exchange("127.0.0.1", "127.0.0.1")).startsWith("HTTP/1.1 204 ");
    assertThat(exchange("127.0.0.3", "127.0.0.1")).as("in the permitted /30").startsWith("HTTP/1.1 204 ");
    assertThat(exchange("127.0.0.2", "127.0.0.1")).as("denied inside the permitted range").isEmpty();
    assertThat(exchange("127.0.0.5", "127.0.0.1")).as("outside the permit list, default deny").isEmpty();
    assertThat(handled).hasValue(2);
  }

  @Test
  void defaultPermitServesEveryoneButTheDenyList() throws Exception {
    start(new InetSocketAddress("127.0.0.1", 0), AccessControl.builder().deny("127.0.0.9"));

    assertThat(exchange("127.0.0.8", "127.0.0.1")).startsWith("HTTP/1.1 204 ");
    assertThat(exchange("127.0.0.9", "127.0.0.1")).isEmpty();
    assertThat(handled).hasValue(1);
  }

  @Test
  void ipv6ClientsAreMatchedAgainstIpv6Entries() throws Exception {
    Assumptions.assumeTrue(ipv6LoopbackWorks(), "no IPv6 loopback on this machine");
    start(new InetSocketAddress("::1", 0), AccessControl.builder().mode(AccessControl.Mode.DEFAULT_DENY).permit("::1/128"));

    assertThat(exchange("::1", "::1")).startsWith("HTTP/1.1 204 ");

    server.close();
    start(new InetSocketAddress("::1", 0), AccessControl.builder().deny("::/0"));
    assertThat(exchange("::1", "::1")).isEmpty();
  }

  private void start(InetSocketAddress address, AccessControl.Builder access) throws IOException {
    server = FlowHttpServer.start(address, exchange -> {
      handled.incrementAndGet();
      exchange.sendResponseHeaders(204, 0);
    }, HttpServerOptions.builder().accessControl(access.build()).build());
  }

  /** Sends one request from {@code from}; what came back before the server closed (empty when refused unanswered). */
  private String exchange(String from, String to) throws IOException {
    try (Socket socket = new Socket()) {
      socket.bind(new InetSocketAddress(from, 0));
      socket.connect(new InetSocketAddress(to, server.port()), 5_000);
      socket.setSoTimeout(5_000);
      try {
        socket.getOutputStream().write(REQUEST.getBytes(ISO_8859_1));
        byte[] head = new byte[13];
        int n = socket.getInputStream().readNBytes(head, 0, head.length);
        return new String(head, 0, n, ISO_8859_1);
      } catch (SocketException reset) {
        // A socket closed with our request unread resets the connection: refused all the same.
        return "";
      }
    }
  }

  private static boolean ipv6LoopbackWorks() {
    try (ServerSocketChannel probe = ServerSocketChannel.open(StandardProtocolFamily.INET6)) {
      probe.bind(new InetSocketAddress(InetAddress.getByName("::1"), 0));
      return InetAddress.getByName("::1") instanceof Inet6Address;
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }
}
