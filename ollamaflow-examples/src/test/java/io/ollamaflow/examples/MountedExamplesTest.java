package io.ollamaflow.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.ollamaflow.examples.sim.SimulatedOllama;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Examples 1 and 2: the cluster mounted under {@code /llm} in a JDK HttpServer and in Jetty, next to the host's own route. */
class MountedExamplesTest {
  private static final MediaType JSON = MediaType.get("application/json");
  private final OkHttpClient client = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(20)).build();

  @AfterEach
  void evict() {
    client.connectionPool().evictAll();
  }

  @Test
  void jdkHttpServerServesTheClusterUnderItsPrefixAndItsOwnRoute() throws Exception {
    try (JdkHttpServerExample example = JdkHttpServerExample.start(0, List.of())) {
      driveMountedCluster("http://127.0.0.1:" + example.port());
      // The adapter stripped the prefix: the backends saw /api/generate, not /llm/api/generate.
      List<String> paths = new ArrayList<>();
      for (SimulatedOllama sim : example.backends().simulated()) {
        sim.requests().forEach(r -> paths.add(r.method() + " " + r.path()));
      }
      assertThat(paths).contains("POST /api/generate").noneMatch(p -> p.contains("/llm"));
    }
  }

  @Test
  void servletContainerServesTheClusterUnderItsPrefixAndItsOwnServlet() throws Exception {
    try (ServletExample example = ServletExample.start(0, List.of())) {
      driveMountedCluster("http://127.0.0.1:" + example.port());
    }
  }

  private void driveMountedCluster(String base) throws Exception {
    try (Response hello = client.newCall(new Request.Builder().url(base + "/hello").build()).execute()) {
      assertThat(hello.code()).isEqualTo(200);
      assertThat(hello.body().string()).startsWith("hello from the");
    }
    try (Response tags = client.newCall(new Request.Builder().url(base + "/llm/api/tags").build()).execute()) {
      assertThat(tags.code()).isEqualTo(200);
      assertThat(tags.body().string()).contains("llama3.2:latest");
    }
    List<String> answeredBy = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      Request generate = new Request.Builder().url(base + "/llm/api/generate")
          .post(RequestBody.create("{\"model\":\"llama3.2\",\"prompt\":\"Hi\"}", JSON)).build();
      try (Response response = client.newCall(generate).execute()) {
        assertThat(response.code()).isEqualTo(200);
        assertThat(response.header("Content-Type")).contains("application/x-ndjson");
        String body = response.body().string();
        assertThat(body.lines().count()).as("streamed token by token").isGreaterThan(2);
        assertThat(body.strip()).endsWith("}").contains("\"done\":true");
        answeredBy.add(response.header("X-OllamaFlow-Backend"));
      }
    }
    // Warm-first routing may keep the second request on the backend the first one loaded the model
    // on (once discovery has listed both), so either backend may answer either request.
    assertThat(answeredBy).as("answered by the simulated backends").isSubsetOf("sim-1", "sim-2");
  }
}
