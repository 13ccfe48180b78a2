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
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.servlet.context.ServletWebServerApplicationContext;

/**
 * The example application started as its {@code main} would start it, on Tomcat on a free
 * loopback port, with the given backends; {@link #close()} closes its context as a shutdown does.
 */
final class RunningApp implements AutoCloseable {
  /** HTTP/1.1: the JDK client's default HTTP/2 upgrade headers are not what this test is about. */
  static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  private final ServletWebServerApplicationContext context;

  private RunningApp(ServletWebServerApplicationContext context) {
    this.context = context;
  }

  /** One {@code url,apiFormat,maxParallelRequests} entry per backend; the last two may be empty. */
  static RunningApp start(List<String> backends) {
    // Command-line arguments, as a user would pass them: they win over application.properties.
    List<String> args = new ArrayList<>(List.of("--server.port=0", "--server.address=127.0.0.1"));
    for (int i = 0; i < backends.size(); i++) {
      String[] parts = backends.get(i).split(",", -1);
      args.add("--llm.backends[" + i + "].url=" + parts[0]);
      if (parts.length > 1 && !parts[1].isEmpty()) args.add("--llm.backends[" + i + "].api-format=" + parts[1]);
      if (parts.length > 2 && !parts[2].isEmpty()) args.add("--llm.backends[" + i + "].max-parallel-requests=" + parts[2]);
    }
    return new RunningApp((ServletWebServerApplicationContext) new SpringApplicationBuilder(SpringBootExample.class)
        .run(args.toArray(String[]::new)));
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

  static HttpRequest post(URI uri, String json) {
    return HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json)).build();
  }

  /** Waits until the cluster has listed {@code model} (the backends are probed after start). */
  RunningApp awaitModel(String model) throws IOException, InterruptedException {
    Instant deadline = Instant.now().plusSeconds(15);
    while (!get("/llm/v1/models").body().contains(model)) {
      if (Instant.now().isAfter(deadline)) throw new AssertionError(model + " not listed under /llm/v1/models within 15 s");
      Thread.sleep(50);
    }
    return this;
  }

  @Override
  public void close() {
    context.close();
  }
}
