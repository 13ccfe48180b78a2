package io.ollamaflow.core;

import io.ollamaflow.api.ConfigStore;
import io.ollamaflow.api.ConfigStoreContractTest;

/** The shared {@link ConfigStore} contract, run against the in-memory reference store. */
class InMemoryConfigStoreTest extends ConfigStoreContractTest {
  @Override
  protected ConfigStore newStore() {
    return new InMemoryConfigStore();
  }
}
