package io.ollamaflow.sqlite;

import java.nio.file.Path;

/**
 * Run in a child JVM by the crash test: writes {@link CrashWrites} one after another as fast as
 * the store allows, printing {@code ack <n>} after write {@code n} returned, until it is killed.
 */
public final class CrashingWriterProcess {
  static final String READY = "ready";
  static final String ACK = "ack ";

  private CrashingWriterProcess() {}

  public static void main(String[] args) {
    SqliteConfigStore store = SqliteConfigStore.open(Path.of(args[0]));
    int trial = Integer.parseInt(args[1]);
    System.out.println(READY);
    System.out.flush();
    for (int write = 0; write < 100_000; write++) {
      CrashWrites.apply(store, trial, write);
      // Only now is the write acknowledged: putX has returned, so it must survive the kill.
      System.out.println(ACK + write);
      System.out.flush();
    }
  }
}
