package io.ollamaflow.postgres;

import io.ollamaflow.api.ConfigStore;
import io.ollamaflow.api.ConfigStoreContractTest;

/** The shared {@link ConfigStore} contract, run against a store in a fresh database of a real PostgreSQL. */
class PostgresConfigStoreTest extends ConfigStoreContractTest {
  @Override
  protected ConfigStore newStore() {
    TestPostgres pg = TestPostgres.get();
    return pg.store(pg.newDatabase()).build();
  }
}
