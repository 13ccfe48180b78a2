package io.ollamaflow.sqlite;

import io.ollamaflow.api.ConfigStore;
import io.ollamaflow.api.ConfigStoreContractTest;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The shared {@link ConfigStore} contract, run against a store in a fresh file. */
class SqliteConfigStoreTest extends ConfigStoreContractTest {
  @TempDir
  Path dir;

  @Override
  protected ConfigStore newStore() {
    return SqliteConfigStore.open(dir.resolve("config.db"));
  }
}
