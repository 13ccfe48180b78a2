package io.ollamaflow.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ollamaflow.api.ApiFormat;
import io.ollamaflow.api.FlowEventListener;
import io.ollamaflow.api.Frontend;
import io.ollamaflow.api.RequestInfo;
import io.ollamaflow.core.testing.ScenarioHarness;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * OpenAI streams relayed untranslated to an OpenAI-format backend are counted although the client
 * did not ask for usage: the proxy asks for the usage chunk and keeps it from the client, who
 * gets exactly the stream it asked for. The backend here answers as OpenAI and vLLM do: a usage
 * chunk (empty {@code choices}) before {@code [DONE]} only when the request asks for it.
 */
class StreamUsageScenarioTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final String CHUNKS = "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
      + "\"delta\":{\"content\":\"Hello\"}}]}\n\n"
      + "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{},"
      + "\"finish_reason\":\"stop\"}]}\n\n";
  private static final String USAGE = "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[],"
      + "\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":5,\"total_tokens\":17}}\n\n";
  private static final String DONE = "data: [DONE]\n\n";

  private final ScenarioHarness harness = new ScenarioHarness();
  private final List<RecordedRequest> seen = new CopyOnWriteArrayList<>();
  private final LinkedBlockingQueue<RequestInfo> finished = new LinkedBlockingQueue<>();

  @BeforeEach
  void start() throws Exception {
    harness.start(b -> b.disableActiveHealthChecks().eventListener(new FlowEventListener() {
      @Override
      public void requestFinished(RequestInfo request) {
        finished.add(request);
      }
    }));
    var backend = harness.backend(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        seen.add(request);
        JsonNode body;
        try {
          body = MAPPER.readTree(request.getBody().utf8());
        } catch (IOException e) {
          return new MockResponse.Builder().code(400).body(e.getMessage()).build();
        }
        if (!body.path("stream").asBoolean(false)) {
          return new MockResponse.Builder().addHeader("Content-Type", "application/json")
              .body("{\"id\":\"c2\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Hello\"}}],"
                  + "\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":5,\"total_tokens\":17}}").build();
        }
        boolean usage = body.path("stream_options").path("include_usage").asBoolean(false);
        return new MockResponse.Builder().addHeader("Content-Type", "text/event-stream")
            .body(CHUNKS + (usage ? USAGE : "") + DONE).build();
      }
    });
    harness.configure(Frontend.builder("f1"),
        ScenarioHarness.backendFor("v1", backend).apiFormat(ApiFormat.OPENAI).build());
  }

  @AfterEach
  void stop() {
    harness.close();
  }

  @Test
  void aStreamTheClientAskedNoUsageForIsCountedAndReachesTheClientWithoutTheUsageChunk() throws Exception {
    String sent = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream\":true}";
    assertThat(chat(sent)).isEqualTo(CHUNKS + DONE);
    JsonNode forwarded = MAPPER.readTree(seen.get(0).getBody().utf8());
    assertThat(forwarded.path("stream_options").path("include_usage").asBoolean()).isTrue();
    assertTokens(12, 5);
  }

  @Test
  void aClientThatAskedForUsageGetsItsChunkAndItsBodyIsForwardedUnchanged() throws Exception {
    String sent = "{\"model\":\"m\",\"messages\":[],\"stream\":true,\"stream_options\":{\"include_usage\":true}}";
    assertThat(chat(sent)).isEqualTo(CHUNKS + USAGE + DONE);
    assertThat(seen.get(0).getBody().utf8()).isEqualTo(sent);
    assertTokens(12, 5);
  }

  @Test
  void aClientThatSaidNoToUsageStillGetsNoUsageChunkAndIsCounted() throws Exception {
    String sent = "{\"model\":\"m\",\"messages\":[],\"stream\":true,\"stream_options\":{\"include_usage\":false}}";
    assertThat(chat(sent)).isEqualTo(CHUNKS + DONE);
    assertTokens(12, 5);
  }

  @Test
  void aRequestThatDoesNotStreamIsForwardedUnchanged() throws Exception {
    String sent = "{\"model\":\"m\",\"messages\":[],\"stream\":false}";
    assertThat(chat(sent)).contains("\"usage\"");
    assertThat(seen.get(0).getBody().utf8()).isEqualTo(sent);
    assertTokens(12, 5);
  }

  private String chat(String body) throws Exception {
    try (Response response = harness.call(new Request.Builder().url(harness.url("/v1/chat/completions"))
        .post(RequestBody.create(body, ScenarioHarness.JSON)))) {
      assertThat(response.code()).isEqualTo(200);
      return response.body().string();
    }
  }

  private void assertTokens(long input, long output) throws InterruptedException {
    RequestInfo request = finished.poll(10, TimeUnit.SECONDS);
    assertThat(request).as("the request finished").isNotNull();
    assertThat(request.inputTokens()).isEqualTo(input);
    assertThat(request.outputTokens()).isEqualTo(output);
  }
}
