package io.ollamaflow.examples.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/**
 * A small blocking client for one simulator. Each test gets its own HttpClient so that no pooled
 * connection to a closed simulator is reused when a later one happens to get the same port.
 */
final class SimHttp {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final SimulatedOllama sim;
  private final HttpClient client = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5))
      .build();

  SimHttp(SimulatedOllama sim) {
    this.sim = sim;
  }

  HttpClient client() {
    return client;
  }

  HttpResponse<String> get(String path) {
    return send("GET", path, null);
  }

  HttpResponse<String> post(String path, String body) {
    return send("POST", path, body);
  }

  HttpResponse<String> send(String method, String path, String body) {
    return send(request(method, path, body));
  }

  HttpResponse<String> send(HttpRequest request) {
    try {
      return client.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Posts without waiting for the answer, so that a test can keep requests in flight. */
  CompletableFuture<HttpResponse<String>> postAsync(String path, String body) {
    return client.sendAsync(request("POST", path, body), HttpResponse.BodyHandlers.ofString());
  }

  HttpRequest request(String method, String path, String body) {
    return requestBuilder(path)
        .method(method, body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body))
        .build();
  }

  HttpRequest.Builder requestBuilder(String pathAndQuery) {
    return HttpRequest.newBuilder(URI.create(sim.baseUrl() + pathAndQuery)).timeout(Duration.ofSeconds(10));
  }

  static JsonNode json(HttpResponse<String> response) {
    return json(response.body());
  }

  static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<JsonNode> ndjson(String body) {
    List<JsonNode> lines = new ArrayList<>();
    body.lines().forEach(line -> lines.add(json(line)));
    return lines;
  }

  /** The events of an OpenAI stream, checking its framing: SSE ending in [DONE], one id throughout. */
  static List<JsonNode> sseStream(HttpResponse<String> response) {
    assertThat(response.headers().firstValue("Content-Type")).hasValue("text/event-stream");
    assertThat(response.body()).endsWith("data: [DONE]\n\n");
    List<JsonNode> events = events(response.body());
    assertThat(events).extracting(event -> event.path("id").asText()).containsOnly(events.get(0).path("id").asText());
    return events;
  }

  /** The JSON events of an SSE body, which must frame each as "data: ...\n\n"; [DONE] is left out. */
  static List<JsonNode> events(String body) {
    assertThat(body).doesNotContain("\r");
    List<JsonNode> events = new ArrayList<>();
    for (String event : body.split("\n\n")) {
      assertThat(event).startsWith("data: ");
      String data = event.substring("data: ".length());
      if (!data.equals("[DONE]")) {
        events.add(json(data));
      }
    }
    return events;
  }

  /**
   * The samples of a Prometheus text answer (name with labels to value), checking the content type
   * and that each sample follows its own HELP line and a TYPE line declaring a gauge.
   */
  static Map<String, Double> prometheusGauges(HttpResponse<String> response) {
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type)
        .startsWith("text/plain; version=0.0.4"));
    Map<String, Double> samples = new TreeMap<>();
    List<String> lines = response.body().lines().toList();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.startsWith("#")) {
        continue;
      }
      int space = line.lastIndexOf(' ');
      String series = line.substring(0, space);
      String name = series.contains("{") ? series.substring(0, series.indexOf('{')) : series;
      assertThat(lines.get(i - 2)).startsWith("# HELP " + name + " ");
      assertThat(lines.get(i - 1)).isEqualTo("# TYPE " + name + " gauge");
      samples.put(series, Double.parseDouble(line.substring(space + 1)));
    }
    return samples;
  }

  /** Polls until the condition holds or the timeout passes; returns whether it held. */
  static boolean eventually(Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (condition.getAsBoolean()) {
        return true;
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return condition.getAsBoolean();
  }
}
