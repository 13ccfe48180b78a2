package io.ollamaflow.examples.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One attack of {@link AttackSuite} on the standalone server: opened by {@link #start}, driven by
 * {@link #tick} every quarter second from one thread (so an attack needs no threads of its own
 * and is bounded by the suite's phase length), ended by {@link #stop}. Attackers connect from
 * their own loopback addresses (127.0.0.2 and up), so the per-address limits see them as other
 * clients than the well-behaved one on 127.0.0.1. A new attack (issue 18 item 2, duplicate
 * POSTs, say) is one more implementation added to {@link AttackSuite#ATTACKS}.
 */
interface Attack {
  /** Short name for the table, e.g. "1 slow uploads". */
  String name();

  void start(int port) throws IOException;

  void tick() throws IOException;

  /** Closes every socket the attack holds; returns what the attack saw, for the table. */
  String stop();

  /** A non-blocking connection from {@code from} to the server on loopback, after {@code bytes} are sent. */
  static SocketChannel open(InetAddress from, int port, int receiveBuffer, String bytes) throws IOException {
    SocketChannel ch = SocketChannel.open();
    try {
      if (receiveBuffer > 0) ch.setOption(StandardSocketOptions.SO_RCVBUF, receiveBuffer);
      ch.bind(new InetSocketAddress(from, 0));
      ch.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      ch.configureBlocking(false);
      if (!bytes.isEmpty()) send(ch, bytes);
      return ch;
    } catch (IOException e) {
      ch.close();
      throw e;
    }
  }

  /** Writes what the socket takes now (the attacks send a few bytes at a time). */
  static void send(SocketChannel ch, String bytes) throws IOException {
    ch.write(ByteBuffer.wrap(bytes.getBytes(StandardCharsets.ISO_8859_1)));
  }

  /** Whether the server gave up on the connection: it answered (408, 429, 503) or closed it. */
  static boolean cutByServer(SocketChannel ch) {
    try {
      return ch.read(ByteBuffer.allocate(512)) != 0;
    } catch (IOException e) {
      return true;
    }
  }

  static InetAddress loopback(int last) {
    try {
      return InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) last});
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static void closeAll(List<SocketChannel> channels) {
    for (SocketChannel ch : channels) {
      try {
        ch.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
    channels.clear();
  }
}
