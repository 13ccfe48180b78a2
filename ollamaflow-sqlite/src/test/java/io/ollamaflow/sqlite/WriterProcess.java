package io.ollamaflow.sqlite;

import io.ollamaflow.api.Backend;
import java.nio.file.Path;

/**
 * Run in a child JVM by the persistence test: writes one backend, reports it, then waits to be
 * killed without closing the store.
 */
public final class WriterProcess {
  static final String WRITTEN = "written";

  private WriterProcess() {}

  public static void main(String[] args) throws InterruptedException {
    SqliteConfigStore store = SqliteConfigStore.open(Path.of(args[0]));
    store.putBackend(Backend.builder(args[1]).port(4321).build());
    System.out.println(WRITTEN);
    System.out.flush();
    Thread.sleep(60_000);
  }
}
