package io.ollamaflow.examples.bench;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * Issue 18 item 1: connections that send a request head and the start of a body naming the model,
 * then one body byte a second. Each connection the server cuts off is opened again at once, so
 * the pressure lasts the whole phase.
 */
final class SlowUploadAttack implements Attack {
  private static final String BODY_START = "{\"model\":\"llama3\",\"prompt\":\"";
  private final int connections;
  private final long contentLength;
  private final List<SocketChannel> open = new ArrayList<>();
  private int port;
  private int ticks;
  private int cut;

  /** @param contentLength the announced body length: small bodies are buffered by the server, large ones streamed */
  SlowUploadAttack(int connections, long contentLength) {
    this.connections = connections;
    this.contentLength = contentLength;
  }

  @Override
  public String name() {
    return "1 slow uploads (" + connections + " conns, " + (contentLength >= 1_000_000 ? contentLength / 1_000_000 + " MB" : contentLength + " B") + " bodies, 1 B/s)";
  }

  @Override
  public void start(int port) throws IOException {
    this.port = port;
    while (open.size() < connections) open.add(connect());
  }

  private SocketChannel connect() throws IOException {
    return Attack.open(Attack.loopback(9), port, 0, "POST /api/generate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        + "Content-Length: " + contentLength + "\r\n\r\n" + BODY_START);
  }

  @Override
  public void tick() throws IOException {
    boolean sendByte = ++ticks % 4 == 0;
    for (int i = 0; i < open.size(); i++) {
      SocketChannel ch = open.get(i);
      if (Attack.cutByServer(ch)) {
        cut++;
        ch.close();
        open.set(i, connect());
      } else if (sendByte) {
        try {
          Attack.send(ch, "a");
        } catch (IOException e) {
          // cut; noticed on the next tick
        }
      }
    }
  }

  @Override
  public String stop() {
    Attack.closeAll(open);
    return cut + " uploads cut off by the server";
  }
}
