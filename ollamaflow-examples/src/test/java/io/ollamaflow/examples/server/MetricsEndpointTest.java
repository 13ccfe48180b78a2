package io.ollamaflow.examples.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The standalone server's {@code GET /metrics}: Prometheus text with the cluster's traffic by backend. */
class MetricsEndpointTest {
  private final HttpClient http = HttpClient.newHttpClient();

  @TempDir
  Path dir;

  @Test
  void demoServerShowsTrafficByBackendAfterAFewRequests() throws Exception {
    try (OllamaFlowServer server = DemoServer.start(dir, "")) {
      String base = "http://127.0.0.1:" + server.port();
      // Model-affinity sends each model to the backend that loaded it: three models, at least two backends.
      for (String model : List.of("llama3.2", "llama3.2", "llama3.2", "qwen2.5:7b", "qwen2.5:7b",
          DemoBackends.VLLM_MODEL)) {
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(base + "/api/generate"))
            .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + model + "\",\"prompt\":\"hi\",\"stream\":false}"))
            .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).isEqualTo(200);
      }

      HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
          HttpResponse.BodyHandlers.ofString());

      assertThat(metrics.statusCode()).isEqualTo(200);
      assertThat(metrics.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/plain; version=0.0.4");
      String text = metrics.body();
      assertThat(text).contains("# TYPE ollamaflow_request_duration_seconds histogram");
      List<String> completions = text.lines()
          .filter(l -> l.startsWith("ollamaflow_request_duration_seconds_count{") && l.contains("kind=\"completion\""))
          .filter(l -> l.contains("status=\"2xx\"")).toList();
      assertThat(completions.stream().mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum())
          .as(text).isEqualTo(6);
      assertThat(completions).anyMatch(l -> l.contains("backend=\"demo-vllm\"") && l.contains("model=\"qwen/qwen3-8b:latest\""));
      assertThat(completions.stream().map(l -> l.substring(l.indexOf("backend=\""), l.indexOf("\",", l.indexOf("backend="))))
          .distinct().count()).as("traffic by backend").isGreaterThanOrEqualTo(2);
      assertThat(text).contains("gen_ai_client_token_usage_tokens_count{backend=\"demo-")
          .contains("gen_ai_server_time_to_first_token_seconds_bucket{backend=\"demo-")
          .contains("ollamaflow_model_load_duration_seconds_count{backend=\"demo-")
          .contains("ollamaflow_backend_concurrency_limit{backend=\"demo-vllm\"}")
          .contains("ollamaflow_backend_health{backend=\"demo-3\",state=\"healthy\"}")
          .contains("ollamaflow_backend_requests_in_flight{backend=\"demo-1\"} 0.0");
      // A scrape is not proxy traffic: it is not counted as a request.
      assertThat(text).doesNotContain("kind=\"none\"");
    }
  }
}
