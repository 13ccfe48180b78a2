package io.ollamaflow.examples.spring;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.servlet.context.ServletWebServerApplicationContext;

/**
 * The example application started as its {@code main} would start it, on Tomcat on a free
 * loopback port; {@link #close()} closes its context as a shutdown does.
 */
final class RunningApp implements AutoCloseable {
  /** HTTP/1.1: the JDK client's default HTTP/2 upgrade headers are not what these tests are about. */
  static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  private static final Duration WAIT = Duration.ofSeconds(15);

  private final ServletWebServerApplicationContext context;

  private RunningApp(ServletWebServerApplicationContext context) {
    this.context = context;
  }

  /** Starts the application with these command-line arguments, e.g. {@code --llm.backends[0].url=...}. */
  static RunningApp start(String... args) {
    List<String> all = new ArrayList<>(List.of("--server.port=0", "--server.address=127.0.0.1"));
    all.addAll(List.of(args));
    return new RunningApp((ServletWebServerApplicationContext) new SpringApplicationBuilder(SpringBootExample.class)
        .run(all.toArray(String[]::new)));
  }

  /** The argument that makes the server on this loopback port the first backend. */
  static String firstBackend(int port) {
    return "--llm.backends[0].url=http://127.0.0.1:" + port;
  }

  int port() {
    return context.getWebServer().getPort();
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port() + path);
  }

  HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return CLIENT.send(HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** A JSON POST whose answer must start within {@link #WAIT}: a request stuck in a queue fails the test. */
  static HttpRequest post(URI uri, String json) {
    return HttpRequest.newBuilder(uri).timeout(WAIT).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json)).build();
  }

  /** Waits until the cluster lists {@code model}: the backends are probed and listed after start. */
  RunningApp awaitModel(String model) throws Exception {
    awaitTrue(model + " listed under /llm/v1/models", () -> get("/llm/v1/models").body().contains(model));
    return this;
  }

  static void awaitTrue(String what, Callable<Boolean> condition) throws Exception {
    Instant deadline = Instant.now().plus(WAIT);
    while (!condition.call()) {
      if (Instant.now().isAfter(deadline)) throw new AssertionError(what + ": not within " + WAIT.toSeconds() + " s");
      Thread.sleep(20);
    }
  }

  @Override
  public void close() {
    context.close();
  }
}
