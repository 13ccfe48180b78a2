package io.ollamaflow.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

class BackendClientsTest {
  @Test
  void connectionsTheBackendClosedAreForgottenSoTheRecordStaysBounded() throws Exception {
    try (MockWebServer backend = new MockWebServer()) {
      // Every answer closes its connection: each request opens a new one.
      for (int i = 0; i < 1_000; i++) {
        backend.enqueue(new MockResponse.Builder().addHeader("Connection", "close").body("ok").build());
      }
      backend.start();
      BackendClients clients = new BackendClients(System::nanoTime, BackendClients.DEFAULT_PROBE_AFTER_IDLE_NANOS);
      OkHttpClient client = clients.guard(new OkHttpClient());
      for (int i = 0; i < 1_000; i++) {
        try (Response r = client.newCall(new Request.Builder().url(backend.url("/api/tags")).build()).execute()) {
          assertThat(r.body().string()).isEqualTo("ok");
        }
      }
      assertThat(backend.getRequestCount()).isEqualTo(1_000);
      assertThat(clients.rememberedConnections()).as("connections remembered after 1,000 closed ones").isLessThanOrEqualTo(256);
      client.dispatcher().executorService().shutdown();
    }
  }
}
