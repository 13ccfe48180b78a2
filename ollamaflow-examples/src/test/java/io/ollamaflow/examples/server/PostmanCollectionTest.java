package io.ollamaflow.examples.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ollamaflow.examples.sim.SimulatedOllama;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import okhttp3.Dns;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The requests of OllamaFlow's Postman collection (ollamaflow-behaviour.md section 18), in an
 * order in which each one can succeed, against the standalone server as a user starts it: a
 * settings file with the default admin token, SQLite, and Ollama backends (simulated). Like
 * Postman it calls {@code http://localhost:<port>}, with Bearer {@code ollamaflowadmin} on the
 * admin requests only.
 *
 * <p>Where the collection names things that do not exist here, the equivalent is used and said
 * so: backends are the simulators' addresses instead of {@code localhost:11434} and
 * {@code 34.55.208.75:8000}; the created frontend lists the backends that exist ({@code backend1},
 * {@code vllm}) instead of {@code backend1..backend4}, which we refuse as unknown (OllamaFlow
 * stores them); the vLLM backend is probed on {@code /} since the simulator has no
 * {@code /health}.
 */
class PostmanCollectionTest {
  private static final String ADMIN_TOKEN = "ollamaflowadmin";
  private static final MediaType JSON_TYPE = MediaType.get("application/json");
  private static final ObjectMapper JSON = new ObjectMapper();

  /** vLLM's extra fields as the collection's two OpenAI requests send them, at their defaults. */
  private static final String VLLM_EXTRAS = ",\"repetition_penalty\":1.0,\"best_of\":1,\"logit_bias\":{},\"seed\":null,"
      + "\"use_beam_search\":false,\"length_penalty\":1.0,\"early_stopping\":false,\"skip_special_tokens\":true,"
      + "\"spaces_between_special_tokens\":true,\"include_stop_str_in_output\":false,\"ignore_eos\":false,"
      + "\"min_tokens\":0,\"stop_token_ids\":[],\"bad_words\":[],\"response_format\":{\"type\":\"text\"},"
      + "\"guided_json\":null,\"guided_regex\":null,\"guided_choice\":null,\"guided_grammar\":null}";
  /** 1. "Generate a completion". */
  private static final String VLLM_COMPLETION = "{\"model\":\"Qwen/Qwen2.5-3B\",\"prompt\":\"Once upon\","
      + "\"max_tokens\":512,\"temperature\":0.7,\"top_p\":0.9,\"top_k\":50,\"n\":1,\"stream\":false,"
      + "\"logprobs\":null,\"echo\":false,\"stop\":[\"<|endoftext|>\",\"<|im_end|>\"],\"presence_penalty\":0,"
      + "\"frequency_penalty\":0,\"suffix\":null" + VLLM_EXTRAS;
  /** 2. "Generate a chat completion". */
  private static final String VLLM_CHAT = "{\"model\":\"Qwen/Qwen2.5-3B\","
      + "\"messages\":[{\"role\":\"system\",\"content\":\"You are helpful.\"},{\"role\":\"user\",\"content\":\"Hi\"}],"
      + "\"max_tokens\":512,\"temperature\":0.7,\"top_p\":0.9,\"top_k\":50,\"n\":1,\"stream\":false,"
      + "\"logprobs\":null,\"top_logprobs\":null,\"stop\":[\"<|im_end|>\"],\"presence_penalty\":0,"
      + "\"frequency_penalty\":0" + VLLM_EXTRAS;

  @TempDir
  Path dir;

  private final List<String> calls = new ArrayList<>();
  private OkHttpClient client;
  private String base;

  @Test
  void everyRequestOfTheCollectionSucceeds() throws Exception {
    List<String> ollamaModels = List.of("gemma:2b", "Qwen/Qwen2.5-3B-Instruct-GGUF", "all-minilm", "llama3",
        "leliuga/all-MiniLM-L6-v2-GGUF", "Qwen/Qwen2.5-3B", "qwen2.5:7b");
    try (SimulatedOllama ollama = SimulatedOllama.builder().id("ollama").models(ollamaModels)
            .tokenDelay(Duration.ZERO).start();
        SimulatedOllama vllm = SimulatedOllama.builder().id("vllm").models(List.of("Qwen/Qwen2.5-3B", "all-minilm"))
            .tokenDelay(Duration.ZERO).start()) {
      Path config = dir.resolve("ollamaflow.json");
      // What a first run gives (frontend1 for any host over backend1), with backend1 at the simulator.
      Files.writeString(config, "{\"Webserver\":{\"Hostname\":\"127.0.0.1\",\"Port\":0},"
          + "\"DatabaseFilename\":\"" + dir.resolve("ollamaflow.db") + "\","
          + "\"AdminBearerTokens\":[\"" + ADMIN_TOKEN + "\"],"
          + "\"Backends\":[{\"Identifier\":\"backend1\",\"Name\":\"My Ollama\",\"Hostname\":\"127.0.0.1\",\"Port\":"
          + ollama.port() + "}],"
          + "\"Frontends\":[{\"Identifier\":\"frontend1\",\"Name\":\"My frontend\",\"Backends\":[\"backend1\"]}]}");
      ServerOptions options = ServerOptions.parse(new String[] {"--config", config.toString()});
      try (OllamaFlowServer server = OllamaFlowServer.start(options, ServerSettings.load(config))) {
        // Postman's {{hostname}} is localhost; resolve it to the address the server listens on.
        client = new OkHttpClient.Builder()
            .dns(host -> host.equals("localhost") ? List.of(InetAddress.getByName("127.0.0.1")) : Dns.SYSTEM.lookup(host))
            .readTimeout(Duration.ofSeconds(30))
            .build();
        base = "http://localhost:" + server.port();
        runCollection(ollama, vllm);
      } finally {
        if (client != null) client.connectionPool().evictAll();
      }
    }
    assertThat(calls).as("calls made").hasSize(31);
  }

  /**
   * The collection's two vLLM-style OpenAI requests against a frontend whose only backends are
   * Ollama servers: translated to Ollama's API, their neutral vLLM fields pass and mean nothing.
   */
  @Test
  void theCollectionsVllmStyleRequestsAreServedByOllamaBackends() throws Exception {
    try (SimulatedOllama ollama = SimulatedOllama.builder().id("ollama").flavor(SimulatedOllama.Flavor.OLLAMA_NATIVE_ONLY)
        .models(List.of("Qwen/Qwen2.5-3B")).tokenDelay(Duration.ZERO).start()) {
      Path config = dir.resolve("ollamaflow.json");
      Files.writeString(config, "{\"Webserver\":{\"Hostname\":\"127.0.0.1\",\"Port\":0},"
          + "\"DatabaseFilename\":\"" + dir.resolve("ollamaflow.db") + "\",\"AdminBearerTokens\":[],"
          + "\"Backends\":[{\"Identifier\":\"backend1\",\"Hostname\":\"127.0.0.1\",\"Port\":" + ollama.port() + "}],"
          + "\"Frontends\":[{\"Identifier\":\"frontend1\",\"Backends\":[\"backend1\"]}]}");
      ServerOptions options = ServerOptions.parse(new String[] {"--config", config.toString()});
      try (OllamaFlowServer server = OllamaFlowServer.start(options, ServerSettings.load(config))) {
        client = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(30)).build();
        base = "http://127.0.0.1:" + server.port();
        try (Response completion = client.newCall(request("POST", "/v1/completions", VLLM_COMPLETION, false)).execute()) {
          assertThat(completion.code()).as(completion.peekBody(4096).string()).isEqualTo(200);
          assertThat(completion.header("X-OllamaFlow-Dropped-Fields")).as("every vLLM field is known").isNull();
          assertThat(JSON.readTree(completion.body().string()).get("choices").get(0).get("text").asText()).isNotEmpty();
        }
        try (Response chat = client.newCall(request("POST", "/v1/chat/completions", VLLM_CHAT, false)).execute()) {
          assertThat(chat.code()).as(chat.peekBody(4096).string()).isEqualTo(200);
          assertThat(JSON.readTree(chat.body().string()).get("choices").get(0).get("message").get("content").asText())
              .isNotEmpty();
        }
      } finally {
        if (client != null) client.connectionPool().evictAll();
      }
      assertThat(ollama.requests()).extracting(r -> r.path()).as("translated to Ollama's API")
          .contains("/api/generate", "/api/chat").doesNotContain("/v1/completions", "/v1/chat/completions");
    }
  }

  private void runCollection(SimulatedOllama ollama, SimulatedOllama vllm) throws Exception {
    // 28. Validate connectivity (it sits in the admin folder, so it carries the token; its leftover body is
    // not sent, as a HEAD request has none).
    call("HEAD", "/", null, true, 200);

    // 14-16. Frontends: retrieve all, retrieve, exists.
    assertThat(call("GET", "/v1.0/frontends", null, true, 200).findValuesAsText("Identifier")).contains("frontend1");
    assertThat(call("GET", "/v1.0/frontends/frontend1", null, true, 200).get("Hostname").asText()).isEqualTo("*");
    call("HEAD", "/v1.0/frontends/frontend1", null, true, 200);

    // 20-24. Backends: retrieve all, retrieve all health, retrieve, retrieve health, exists.
    assertThat(call("GET", "/v1.0/backends", null, true, 200).findValuesAsText("Identifier")).contains("backend1");
    assertThat(call("GET", "/v1.0/backends/health", null, true, 200).findValuesAsText("Identifier"))
        .contains("backend1");
    call("GET", "/v1.0/backends/backend1", null, true, 200);
    assertThat(call("GET", "/v1.0/backends/backend1/health", null, true, 200).get("Healthy").asBoolean()).isTrue();
    call("HEAD", "/v1.0/backends/backend1", null, true, 200);

    // 26. Backends: create (the collection's vLLM server, here the second simulator).
    JsonNode created = call("PUT", "/v1.0/backends", "{\"Identifier\":\"vllm\",\"Name\":\"vllm\","
        + "\"Hostname\":\"127.0.0.1\",\"Port\":" + vllm.port() + ",\"Ssl\":false,\"UnhealthyThreshold\":2,"
        + "\"HealthyThreshold\":2,\"HealthCheckMethod\":\"GET\",\"HealthCheckUrl\":\"/\",\"MaxParallelRequests\":4,"
        + "\"RateLimitRequestsThreshold\":10,\"LogRequestBody\":false,\"LogResponseBody\":false,"
        + "\"ApiFormat\":\"OpenAI\",\"AllowEmbeddings\":true,\"AllowCompletions\":true,\"BearerToken\":null,"
        + "\"Querystring\":\"\",\"Headers\":{},\"PinnedEmbeddingsProperties\":{},\"PinnedCompletionsProperties\":{}}",
        true, 201);
    assertThat(created.get("ApiFormat").asText()).isEqualTo("OpenAI");

    // 27. Backends: update backend1 (no Labels in the body, so they are cleared).
    call("PUT", "/v1.0/backends/backend1", "{\"Identifier\":\"backend1\",\"Name\":\"My Ollama\","
        + "\"Hostname\":\"127.0.0.1\",\"Port\":" + ollama.port() + ",\"Ssl\":false,\"UnhealthyThreshold\":2,"
        + "\"HealthyThreshold\":2,\"HealthCheckMethod\":\"GET\",\"HealthCheckUrl\":\"/\",\"MaxParallelRequests\":4,"
        + "\"RateLimitRequestsThreshold\":10,\"LogRequestFull\":false,\"LogRequestBody\":false,"
        + "\"LogResponseBody\":false,\"ApiFormat\":\"Ollama\",\"PinnedEmbeddingsProperties\":{},"
        + "\"PinnedCompletionsProperties\":{},\"AllowEmbeddings\":true,\"AllowCompletions\":true,"
        + "\"BearerToken\":null,\"Querystring\":\"\",\"Headers\":{},\"Active\":true,"
        + "\"CreatedUtc\":\"2025-09-29T23:01:54.704256Z\"}", true, 200);

    // 17, 18. Frontends: delete, then create (Hostname localhost, as Postman calls it).
    call("DELETE", "/v1.0/frontends/frontend1", null, true, 204);
    call("PUT", "/v1.0/frontends", "{\"Identifier\":\"frontend1\",\"Name\":\"My frontend\",\"Hostname\":\"localhost\","
        + "\"TimeoutMs\":60000,\"LoadBalancing\":\"RoundRobin\",\"BlockHttp10\":true,\"LogRequestFull\":false,"
        + "\"LogRequestBody\":false,\"LogResponseBody\":false,\"MaxRequestBodySize\":536870912,"
        + "\"AllowRetries\":true,\"AllowEmbeddings\":true,\"AllowCompletions\":true,"
        + "\"PinnedEmbeddingsProperties\":{},\"PinnedCompletionsProperties\":{},"
        + "\"Backends\":[\"backend1\",\"vllm\"],\"RequiredModels\":[\"all-minilm\",\"qwen2.5:7b\"]}", true, 201);

    // 5-13. Ollama APIs (no auth).
    JsonNode generated = call("POST", "/api/generate", "{\"model\":\"gemma:2b\",\"prompt\":\"system: be brief\\n"
        + "user: Why is the sky blue?\\nassistant:\",\"stream\":false,\"options\":{\"num_predict\":1000,"
        + "\"temperature\":0.8,\"top_p\":0.9,\"repeat_penalty\":1.1,\"stop\":[\"\\nuser:\"],\"num_ctx\":2048,"
        + "\"num_batch\":512}}", false, 200);
    assertThat(generated.get("done").asBoolean()).isTrue();
    String chat = callText("POST", "/api/chat", "{\"model\":\"Qwen/Qwen2.5-3B-Instruct-GGUF\",\"stream\":true,"
        + "\"messages\":[{\"role\":\"system\",\"content\":\"You are helpful.\"},{\"role\":\"user\",\"content\":\"Hi\"}],"
        + "\"options\":{\"num_keep\":5,\"seed\":42,\"num_predict\":100,\"top_k\":20,\"top_p\":0.9,\"min_p\":0.0,"
        + "\"tfs_z\":0.5,\"typical_p\":0.7,\"repeat_last_n\":33,\"temperature\":0.8,\"repeat_penalty\":1.2,"
        + "\"presence_penalty\":1.5,\"frequency_penalty\":1.0,\"mirostat\":1,\"mirostat_tau\":0.8,"
        + "\"mirostat_eta\":0.6,\"penalize_newline\":true,\"numa\":false,\"num_ctx\":1024,\"num_batch\":2,"
        + "\"num_gpu\":1,\"main_gpu\":0,\"low_vram\":false,\"f16_kv\":true,\"vocab_only\":false,\"use_mmap\":true,"
        + "\"use_mlock\":false,\"num_thread\":8}}", false, 200);
    List<String> chatLines = chat.lines().toList();
    assertThat(chatLines.size()).isGreaterThan(1);
    assertThat(JSON.readTree(chatLines.get(chatLines.size() - 1)).get("done").asBoolean()).isTrue();
    assertThat(callText("POST", "/api/pull", "{\"model\":\"all-minilm\"}", false, 200)).contains("success");
    assertThat(call("POST", "/api/show", "{\"name\":\"llama3\"}", false, 200).has("details")).isTrue();
    callText("DELETE", "/api/delete", "{\"name\":\"llama3\"}", false, 200);
    assertThat(call("GET", "/api/tags", null, false, 200).get("models")).isNotEmpty();
    assertThat(call("GET", "/api/ps", null, false, 200).has("models")).isTrue();
    assertThat(call("POST", "/api/embed", "{\"model\":\"all-minilm\",\"input\":\"asdf\"}", false, 200)
        .get("embeddings")).hasSize(1);
    assertThat(call("POST", "/api/embed", "{\"model\":\"leliuga/all-MiniLM-L6-v2-GGUF\","
        + "\"input\":[\"Why is the sky blue?\",\"Why is the grass green?\"]}", false, 200).get("embeddings")).hasSize(2);

    // 1-4. OpenAI APIs (no auth), with vLLM's extra sampling fields (here the mixed frontend's vLLM serves them).
    assertThat(call("POST", "/v1/completions", VLLM_COMPLETION, false, 200).get("choices")).isNotEmpty();
    assertThat(call("POST", "/v1/chat/completions", VLLM_CHAT, false, 200)
        .get("choices").get(0).get("message").get("content").asText()).isNotEmpty();
    assertThat(call("POST", "/v1/embeddings", "{\"model\":\"all-minilm\",\"input\":\"Why is the sky blue?\","
        + "\"encoding_format\":\"float\",\"dimensions\":null,\"user\":null}", false, 200).get("data")).hasSize(1);
    assertThat(call("POST", "/v1/embeddings", "{\"model\":\"all-minilm\",\"input\":[\"one\",\"two\",\"three\"],"
        + "\"encoding_format\":\"float\",\"dimensions\":null,\"user\":null}", false, 200).get("data")).hasSize(3);

    // 19. Frontends: update (a virtual vLLM endpoint on any host), then it serves from vllm alone.
    JsonNode updated = call("PUT", "/v1.0/frontends/frontend1", "{\"Identifier\":\"frontend1\","
        + "\"Name\":\"Virtual vLLM\",\"Hostname\":\"*\",\"TimeoutMs\":60000,\"LoadBalancing\":\"RoundRobin\","
        + "\"BlockHttp10\":true,\"MaxRequestBodySize\":536870912,\"Backends\":[\"vllm\"],\"RequiredModels\":[],"
        + "\"LogRequestFull\":false,\"LogRequestBody\":false,\"LogResponseBody\":false,\"UseStickySessions\":false,"
        + "\"StickySessionExpirationMs\":1800000,\"PinnedEmbeddingsProperties\":{},\"PinnedCompletionsProperties\":{},"
        + "\"AllowEmbeddings\":false,\"AllowCompletions\":true,\"AllowRetries\":true,\"Active\":true,"
        + "\"CreatedUtc\":\"2025-10-02T06:33:11.008700Z\",\"LastUpdateUtc\":\"2025-10-02T06:33:11.008700Z\"}",
        true, 200);
    assertThat(updated.get("Backends").get(0).asText()).isEqualTo("vllm");
    try (Response answer = client.newCall(request("POST", "/v1/chat/completions",
        "{\"model\":\"Qwen/Qwen2.5-3B\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"stream\":false}",
        false)).execute()) {
      calls.add("POST /v1/chat/completions -> " + answer.code());
      assertThat(answer.code()).isEqualTo(200);
      assertThat(answer.header("X-OllamaFlow-Backend")).isEqualTo("vllm");
    }

    // 25, 17. Backends: delete backend1 (no frontend lists it any more); Frontends: delete.
    call("DELETE", "/v1.0/backends/backend1", null, true, 204);
    call("DELETE", "/v1.0/frontends/frontend1", null, true, 204);
    assertThat(call("GET", "/v1.0/frontends", null, true, 200)).isEmpty();
  }

  private JsonNode call(String method, String path, String body, boolean admin, int status) throws Exception {
    String text = callText(method, path, body, admin, status);
    return text.isEmpty() ? JSON.createObjectNode() : JSON.readTree(text);
  }

  private String callText(String method, String path, String body, boolean admin, int status) throws Exception {
    try (Response response = client.newCall(request(method, path, body, admin)).execute()) {
      String text = response.body().string();
      calls.add(method + " " + path + " -> " + response.code());
      assertThat(response.code()).as("%s %s answered %s", method, path, text).isEqualTo(status);
      return text;
    }
  }

  private Request request(String method, String path, String body, boolean admin) {
    RequestBody requestBody = body == null ? null : RequestBody.create(body, JSON_TYPE);
    Request.Builder request = new Request.Builder().url(base + path).method(method, requestBody)
        .header("Content-Type", "application/json");
    if (admin) request.header("Authorization", "Bearer " + ADMIN_TOKEN);
    return request.build();
  }
}
