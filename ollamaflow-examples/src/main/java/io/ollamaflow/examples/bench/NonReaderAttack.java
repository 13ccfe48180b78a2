package io.ollamaflow.examples.bench;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * Issue 18 item 7: clients that ask for a long stream (100,000 tokens, about 10 MB, more than the socket buffers on the way hold) with a 4 KB receive
 * buffer and never read a byte. A new wave joins every {@value #WAVE_TICKS} ticks; earlier waves
 * stay open and unread until the phase ends, so only the server can free the slots they took.
 */
final class NonReaderAttack implements Attack {
  private static final int WAVE_TICKS = 40;
  private static final String BODY = "{\"model\":\"llama3\",\"prompt\":\"go\",\"options\":{\"num_predict\":100000}}";
  private final int clients;
  private final List<SocketChannel> open = new ArrayList<>();
  private int port;
  private int ticks;
  private int waves;

  NonReaderAttack(int clients) {
    this.clients = clients;
  }

  @Override
  public String name() {
    return "7 non-reading stream clients (" + clients + ", one more wave every " + WAVE_TICKS / 4 + " s)";
  }

  @Override
  public void start(int port) throws IOException {
    this.port = port;
    wave();
  }

  private void wave() throws IOException {
    waves++;
    for (int i = 0; i < clients; i++) {
      open.add(Attack.open(Attack.loopback(7), port, 4096, "POST /api/generate HTTP/1.1\r\nHost: x\r\n"
          + "Content-Type: application/json\r\nContent-Length: " + BODY.length() + "\r\n\r\n" + BODY));
    }
  }

  @Override
  public void tick() throws IOException {
    if (++ticks % WAVE_TICKS == 0) wave();
  }

  @Override
  public String stop() {
    Attack.closeAll(open);
    return waves + " waves of " + clients;
  }
}
