package io.ollamaflow.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import mockwebserver3.MockWebServer;
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
  /** Answer stream_options with 400, as servers that do not know it do. */
  private volatile boolean refusesStreamOptions;
  private MockWebServer backend;

  @BeforeEach
  void start() throws Exception {
    harness.start(b -> b.disableActiveHealthChecks().eventListener(new FlowEventListener() {
      @Override
      public void requestFinished(RequestInfo request) {
        finished.add(request);
      }
    }));
    backend = harness.backend(new Dispatcher() {
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
        if (refusesStreamOptions && body.has("stream_options")) {
          return new MockResponse.Builder().code(400).addHeader("Content-Type", "application/json")
              .body("{\"error\":{\"message\":\"Unrecognized request argument supplied: stream_options\"}}").build();
        }
        boolean usage = body.path("stream_options").path("include_usage").asBoolean(false);
        return new MockResponse.Builder().addHeader("Content-Type", "text/event-stream")
            .body(CHUNKS + (usage ? USAGE : "") + DONE).build();
      }
    });
    configure(Frontend.builder("f1"));
  }

  private void configure(Frontend.Builder frontend) {
    harness.configure(frontend, ScenarioHarness.backendFor("v1", backend).apiFormat(ApiFormat.OPENAI).build());
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

  @Test
  void theDecisionIsOnTheBodyAsSentAfterTheFrontendsPinsAndDefaults() throws Exception {
    String streaming = "{\"model\":\"m\",\"messages\":[],\"stream\":true}";
    configure(Frontend.builder("f1").pinnedCompletionsProperties(json("{\"stream\":false}")));
    assertThat(chat(streaming)).as("pinned not to stream").contains("\"usage\"");
    assertThat(MAPPER.readTree(seen.get(0).getBody().utf8()).has("stream_options")).as("never with stream false").isFalse();
    assertTokens(12, 5);

    configure(Frontend.builder("f1").pinnedCompletionsProperties(json("{\"stream_options\":{\"include_usage\":true}}")));
    assertThat(chat(streaming)).as("the operator pinned usage for clients").isEqualTo(CHUNKS + USAGE + DONE);
    assertTokens(12, 5);

    configure(Frontend.builder("f1").defaultCompletionsProperties(json("{\"stream\":true}")));
    assertThat(chat("{\"model\":\"m\",\"messages\":[]}")).as("streaming by default").isEqualTo(CHUNKS + DONE);
    assertTokens(12, 5);
  }

  @Test
  void aBackendThatRefusesStreamOptionsGetsTheClientsOwnRequestAndIsNotAskedAgain() throws Exception {
    refusesStreamOptions = true;
    String sent = "{\"model\":\"m\",\"messages\":[],\"stream\":true}";
    assertThat(chat(sent)).isEqualTo(CHUNKS + DONE);
    assertThat(seen).hasSize(2);
    assertThat(seen.get(1).getBody().utf8()).as("sent again as the client sent it").isEqualTo(sent);
    assertThat(chat(sent)).isEqualTo(CHUNKS + DONE);
    assertThat(seen).as("asked once, then never again").hasSize(3);
    assertThat(seen.get(2).getBody().utf8()).isEqualTo(sent);
  }

  @Test
  void theAskedStreamIsRequestedUncompressedWhateverTheClientAccepts() throws Exception {
    try (Response response = harness.call(new Request.Builder().url(harness.url("/v1/chat/completions"))
        .header("Accept-Encoding", "gzip")
        .post(RequestBody.create("{\"model\":\"m\",\"messages\":[],\"stream\":true}", ScenarioHarness.JSON)))) {
      assertThat(response.code()).isEqualTo(200);
      response.body().bytes();
    }
    assertThat(seen.get(0).getHeaders().get("Accept-Encoding")).isEqualTo("identity");
  }

  private static ObjectNode json(String text) throws IOException {
    return (ObjectNode) MAPPER.readTree(text);
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
