package io.ollamaflow.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.Test;

/**
 * Micrometer is optional: a cluster built without a registry builds and serves with Micrometer
 * absent from the class path, and never asks for one of its classes.
 */
class NoMicrometerTest {
  /** Loads everything on the test class path except Micrometer, and remembers what was asked for. */
  private static final class WithoutMicrometer extends URLClassLoader {
    final List<String> micrometerRequests = new CopyOnWriteArrayList<>();

    WithoutMicrometer(URL[] urls) {
      super(urls, ClassLoader.getPlatformClassLoader());
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      if (name.startsWith("io.micrometer.")) {
        micrometerRequests.add(name);
        throw new ClassNotFoundException(name);
      }
      return super.loadClass(name, resolve);
    }
  }

  @Test
  void aClusterWithoutARegistryServesWithMicrometerAbsent() throws Exception {
    List<URL> urls = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      if (!entry.contains("micrometer")) urls.add(new File(entry).toURI().toURL());
    }
    try (MockWebServer backend = new MockWebServer();
        WithoutMicrometer loader = new WithoutMicrometer(urls.toArray(new URL[0]))) {
      backend.enqueue(new MockResponse.Builder().addHeader("Content-Type", "application/json")
          .body("{\"message\":{\"role\":\"assistant\",\"content\":\"hi\"},\"done\":true}").build());
      backend.start();
      Class<?> serve = loader.loadClass(ServeOnce.class.getName());
      assertThat(serve.getClassLoader()).isSameAs(loader);

      int status = (int) serve.getMethod("chat", int.class).invoke(null, backend.getPort());

      assertThat(status).isEqualTo(200);
      assertThat(loader.micrometerRequests).isEmpty();
    }
  }

  /** Run inside the class loader without Micrometer: a cluster, its HTTP server, one chat through it. */
  public static final class ServeOnce {
    public static int chat(int backendPort) throws Exception {
      InMemoryConfigStore store = new InMemoryConfigStore();
      store.putBackend(io.ollamaflow.api.Backend.builder("b1").hostname("127.0.0.1").port(backendPort).build());
      store.putFrontend(io.ollamaflow.api.Frontend.builder("f1").backends(List.of("b1")).build());
      try (FlowCluster cluster = FlowCluster.builder().configStore(store).disableActiveHealthChecks()
              .adminBearerTokens(List.of("t")).build();
          io.ollamaflow.core.http.FlowHttpServer server = io.ollamaflow.core.http.FlowHttpServer.start(
              new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), cluster.httpHandler())) {
        okhttp3.OkHttpClient client = new okhttp3.OkHttpClient();
        okhttp3.Request request = new okhttp3.Request.Builder().url("http://127.0.0.1:" + server.port() + "/api/chat")
            .post(okhttp3.RequestBody.create("{\"model\":\"m\",\"messages\":[]}",
                okhttp3.MediaType.get("application/json"))).build();
        try (okhttp3.Response response = client.newCall(request).execute()) {
          // The admin health view, with its traffic, works without Micrometer too.
          cluster.admin().health();
          return response.code();
        } finally {
          client.dispatcher().executorService().shutdown();
          client.connectionPool().evictAll();
        }
      }
    }
  }
}
