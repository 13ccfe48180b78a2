package io.ollamaflow.examples.bench;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * Issue 18 item 6: thousands of connections that send nothing, from several addresses, plus
 * connections that send a request head one byte a second and never finish it. Whatever the server
 * closes or refuses is opened again (at most {@value #REOPEN_PER_TICK} per tick), so the server
 * stays at its limits for the whole phase.
 */
final class IdleConnectionAttack implements Attack {
  private static final int REOPEN_PER_TICK = 250;
  private final int idle;
  private final int addresses;
  private final int slowHeads;
  private final List<SocketChannel> idleOpen = new ArrayList<>();
  private final List<SocketChannel> headsOpen = new ArrayList<>();
  private int port;
  private int ticks;
  private int cut;
  private int refusedAtConnect;

  IdleConnectionAttack(int idle, int addresses, int slowHeads) {
    this.idle = idle;
    this.addresses = addresses;
    this.slowHeads = slowHeads;
  }

  @Override
  public String name() {
    return "6 idle connections (" + idle + " from " + addresses + " addresses) + " + slowHeads + " slow heads (1 B/s)";
  }

  @Override
  public void start(int port) {
    this.port = port;
  }

  @Override
  public void tick() throws IOException {
    int budget = REOPEN_PER_TICK;
    budget = refill(idleOpen, idle, budget, false);
    refill(headsOpen, slowHeads, budget, true);
    if (++ticks % 4 == 0) {
      for (SocketChannel ch : headsOpen) {
        try {
          Attack.send(ch, "x");
        } catch (IOException e) {
          // cut; noticed on the next tick
        }
      }
    }
  }

  /** Replaces connections the server gave up on and opens missing ones; returns the budget left. */
  private int refill(List<SocketChannel> list, int target, int budget, boolean head) throws IOException {
    for (int i = list.size() - 1; i >= 0; i--) {
      if (Attack.cutByServer(list.get(i))) {
        cut++;
        list.remove(i).close();
      }
    }
    while (list.size() < target && budget-- > 0) {
      int n = list.size();
      try {
        list.add(head ? Attack.open(Attack.loopback(8), port, 0, "POST /api/generate HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            : Attack.open(Attack.loopback(10 + n % addresses), port, 0, ""));
      } catch (IOException e) {
        refusedAtConnect++;
        break;
      }
    }
    return budget;
  }

  @Override
  public String stop() {
    Attack.closeAll(idleOpen);
    Attack.closeAll(headsOpen);
    return cut + " connections closed or refused by the server" + (refusedAtConnect > 0 ? ", " + refusedAtConnect + " connects failed" : "");
  }
}
