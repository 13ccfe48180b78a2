package io.ollamaflow.examples.server;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import io.ollamaflow.api.Backend;
import io.ollamaflow.api.Frontend;
import io.ollamaflow.core.FlowCluster;
import io.ollamaflow.core.InMemoryConfigStore;
import io.ollamaflow.core.http.FlowHttpExchange;
import io.ollamaflow.core.http.FlowHttpHandler;
import io.ollamaflow.core.http.FlowHttpServer;
import io.ollamaflow.core.http.HttpServerOptions;
import io.ollamaflow.core.http.TlsOptions;
import io.ollamaflow.examples.sim.SimulatedOllama;
import io.ollamaflow.examples.sim.TestCertificates;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import okhttp3.ConnectionSpec;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.TlsVersion;
import okio.BufferedSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * FlowHttpServer over TLS with real TLS clients (OkHttp, openai-java, curl) and a CA made for the
 * test by the JDK's keytool ({@link TestCertificates}): answers, streams flushed event by event,
 * mutual TLS, and clients that speak the wrong protocol for the port.
 */
class TlsServingTest {
  private static final String MODEL = "llama3.2";
  private static final String ANSWER = "Hello from sim. This is a simulated answer.";
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final MediaType JSON = MediaType.get("application/json");
  private static final String CHAT = "{\"model\":\"" + MODEL + "\",\"stream\":false,"
      + "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";

  @TempDir static Path certificateDir;
  private static TestCertificates certificates;

  private final List<AutoCloseable> open = new ArrayList<>();
  private SimulatedOllama backend;
  private FlowCluster cluster;

  @BeforeAll
  static void makeCertificates() throws IOException {
    certificates = TestCertificates.create(certificateDir);
  }

  @AfterEach
  void closeAll() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) open.get(i).close();
  }

  @Test
  void okHttpChatsThroughTlsWithAPemCertificateChainAndKey() throws Exception {
    FlowHttpServer server = proxy(HttpServerOptions.builder().tls(
        TlsOptions.pem(certificates.serverChainPem(), certificates.serverKeyPem()).build()));

    try (Response response = client(false).newCall(chat(server)).execute()) {
      assertThat(response.code()).isEqualTo(200);
      assertThat(response.handshake().tlsVersion().javaName()).isIn("TLSv1.3", "TLSv1.2");
      assertThat(answerText(response.body().string())).isEqualTo(ANSWER);
    }
  }

  @Test
  void openAiJavaChatsAndStreamsThroughTlsWithAPkcs12Keystore() throws Exception {
    FlowHttpServer server = proxy(HttpServerOptions.builder().tls(
        TlsOptions.pkcs12(certificates.serverPkcs12(), TestCertificates.PASSWORD.toCharArray()).build()));
    SSLContext context = certificates.clientContext(false);
    OpenAIClient openAi = OpenAIOkHttpClient.builder().baseUrl("https://localhost:" + server.port() + "/v1")
        .apiKey("unused").maxRetries(0).timeout(Duration.ofSeconds(10))
        .sslSocketFactory(context.getSocketFactory()).trustManager(certificates.trustManager()).build();
    open.add(openAi::close);
    ChatCompletionCreateParams params = ChatCompletionCreateParams.builder().model(MODEL).addUserMessage("Hi").build();

    ChatCompletion completion = openAi.chat().completions().create(params);
    StringBuilder streamed = new StringBuilder();
    int chunks;
    try (StreamResponse<ChatCompletionChunk> stream = openAi.chat().completions().createStreaming(params)) {
      List<ChatCompletionChunk> all = stream.stream().toList();
      all.forEach(c -> c.choices().forEach(choice -> choice.delta().content().ifPresent(streamed::append)));
      chunks = all.size();
    }

    assertThat(completion.choices().get(0).message().content()).hasValue(ANSWER);
    assertThat(streamed.toString()).isEqualTo(ANSWER);
    assertThat(chunks).isGreaterThan(2);
  }

  @Test
  void curlWithTheTestCaChatsThroughTls() throws Exception {
    FlowHttpServer server = proxy(HttpServerOptions.builder().tls(
        TlsOptions.pem(certificates.serverChainPem(), certificates.serverKeyPem()).build()));

    Curl result = curl("--cacert", certificates.caPem().toString(), "https://127.0.0.1:" + server.port() + "/api/chat",
        "-d", CHAT);

    assertThat(result.exit()).as(result.output()).isZero();
    assertThat(answerText(result.output())).isEqualTo(ANSWER);
  }

  @Test
  void aStreamedAnswerThroughTlsReachesTheClientEventByEvent() throws Exception {
    // Each event is written only after the client has read the one before: unflushed bytes would deadlock the test.
    Semaphore clientRead = new Semaphore(0);
    FlowHttpServer server = server(exchange -> {
      exchange.sendResponseHeaders(200, FlowHttpExchange.UNKNOWN_LENGTH);
      OutputStream body = exchange.responseBody();
      for (int i = 1; i <= 3; i++) {
        try {
          if (!clientRead.tryAcquire(10, TimeUnit.SECONDS)) return;
        } catch (InterruptedException e) {
          return;
        }
        body.write(("data: event-" + i + "\n\n").getBytes(UTF_8));
        body.flush();
      }
    }, tlsPem());

    try (Response response = client(false).newCall(new Request.Builder().url(url(server) + "/stream").build()).execute()) {
      BufferedSource events = response.body().source();
      for (int i = 1; i <= 3; i++) {
        clientRead.release();
        assertThat(events.readUtf8Line()).isEqualTo("data: event-" + i);
        assertThat(events.readUtf8Line()).isEmpty();
      }
      assertThat(events.exhausted()).isTrue();
    }
  }

  @Test
  void mutualTlsServesAClientWithACertificateFromTheTrustedCaAndRefusesOneWithout() throws Exception {
    AtomicInteger served = new AtomicInteger();
    FlowHttpServer server = server(exchange -> {
      served.incrementAndGet();
      exchange.sendResponseHeaders(204, 0);
    }, HttpServerOptions.builder().tls(TlsOptions.pem(certificates.serverChainPem(), certificates.serverKeyPem())
        .requireClientCertificate(certificates.caPem()).build()));
    Request request = new Request.Builder().url(url(server) + "/").build();

    try (Response response = client(true).newCall(request).execute()) {
      assertThat(response.code()).isEqualTo(204);
    }
    assertThatThrownBy(() -> client(false).newCall(request).execute().close()).isInstanceOf(IOException.class);
    Curl curl = curl("--cacert", certificates.caPem().toString(), "--cert", certificates.clientCertificatePem().toString(),
        "--key", certificates.clientKeyPem().toString(), "-o", "/dev/null", "-w", "%{http_code}", url(server) + "/");

    assertThat(curl.output()).isEqualTo("204");
    assertThat(served).as("only the clients with a certificate were served").hasValue(2);
  }

  @Test
  void plainHttpToTheTlsPortIsAnswered400NamingHttpsAndOthersAreStillServed() throws Exception {
    FlowHttpServer server = server(exchange -> exchange.sendResponseHeaders(204, 0), tlsPem());
    String answer;
    try (Socket plain = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
      plain.setSoTimeout(5_000);
      plain.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(ISO_8859_1));
      answer = new String(plain.getInputStream().readAllBytes(), ISO_8859_1);
    }

    assertThat(answer).startsWith("HTTP/1.1 400 ").contains("this port speaks HTTPS (TLS): connect with https://");
    try (Response response = client(false).newCall(new Request.Builder().url(url(server) + "/").build()).execute()) {
      assertThat(response.code()).isEqualTo(204);
    }
  }

  @Test
  void aTlsClientOnAPlainPortFailsAtOnceAndPlainClientsAreStillServed() throws Exception {
    // The head timeout is far beyond the client's: a server waiting for a head would show as a client timeout.
    FlowHttpServer server = server(exchange -> exchange.sendResponseHeaders(204, 0),
        HttpServerOptions.builder().requestHeadTimeout(Duration.ofSeconds(60)));
    OkHttpClient tlsClient = client(false).newBuilder().readTimeout(Duration.ofSeconds(20)).build();

    assertThatThrownBy(() -> tlsClient.newCall(new Request.Builder()
        .url("https://localhost:" + server.port() + "/").build()).execute().close())
        .isInstanceOf(SSLException.class);
    try (Response response = new OkHttpClient().newCall(new Request.Builder()
        .url("http://localhost:" + server.port() + "/").build()).execute()) {
      assertThat(response.code()).isEqualTo(204);
    }
  }

  @Test
  void aClientStalledInTheHandshakeHoldsNoOneUpAndIsClosedAfterTheHeadTimeout() throws Exception {
    FlowHttpServer server = server(exchange -> exchange.sendResponseHeaders(204, 0),
        tlsPem().requestHeadTimeout(Duration.ofMillis(500)));

    try (Socket stalled = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
      stalled.getOutputStream().write(0x16); // a TLS record begins, and nothing more comes
      stalled.getOutputStream().flush();
      try (Response response = client(false).newCall(new Request.Builder().url(url(server) + "/").build()).execute()) {
        assertThat(response.code()).as("served while the other handshake is stalled").isEqualTo(204);
      }
      stalled.setSoTimeout(10_000);
      InputStream in = stalled.getInputStream();
      assertThat(in.read()).as("closed by the server, not by the 10 s client timeout").isEqualTo(-1);
    }
  }

  @Test
  void overTlsAConnectionBeyondThePerAddressCapIsClosedWithoutAPlainTextAnswer() throws Exception {
    FlowHttpServer server = server(exchange -> exchange.sendResponseHeaders(204, 0), tlsPem().maxConnectionsPerAddress(1));

    try (Socket first = new Socket(InetAddress.getLoopbackAddress(), server.port());
        Socket second = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
      second.setSoTimeout(5_000);
      // On a plain port this would be a 429 in plain text, which a TLS client could not read.
      assertThat(second.getInputStream().readAllBytes()).isEmpty();
    }
  }

  @Test
  void servesTls12AndTls13Only() throws Exception {
    TlsOptions tls = TlsOptions.pem(certificates.serverChainPem(), certificates.serverKeyPem()).build();
    FlowHttpServer server = server(exchange -> exchange.sendResponseHeaders(204, 0), HttpServerOptions.builder().tls(tls));
    OkHttpClient tls12Only = client(false).newBuilder().connectionSpecs(List.of(
        new ConnectionSpec.Builder(ConnectionSpec.MODERN_TLS).tlsVersions(TlsVersion.TLS_1_2).build())).build();

    try (Response response = tls12Only.newCall(new Request.Builder().url(url(server) + "/").build()).execute()) {
      assertThat(response.handshake().tlsVersion()).isEqualTo(TlsVersion.TLS_1_2);
    }
    assertThat(tls.parameters().getProtocols()).containsExactly("TLSv1.3", "TLSv1.2");
  }

  @Test
  void aPkcs1RsaKeyAsOlderOpenSslWritesItServesLikeItsPkcs8Form() throws Exception {
    Path pkcs1 = certificateDir.resolve("server-key-pkcs1.pem");
    Process openssl;
    try {
      openssl = new ProcessBuilder("openssl", "rsa", "-in", certificates.serverKeyPem().toString(), "-traditional",
          "-out", pkcs1.toString()).redirectErrorStream(true).start();
    } catch (IOException noOpenssl) {
      Assumptions.abort("openssl is not installed");
      return;
    }
    String output = new String(openssl.getInputStream().readAllBytes(), UTF_8);
    assertThat(openssl.waitFor(30, TimeUnit.SECONDS) && openssl.exitValue() == 0).as(output).isTrue();
    assertThat(java.nio.file.Files.readString(pkcs1)).startsWith("-----BEGIN RSA PRIVATE KEY-----");

    FlowHttpServer server = server(exchange -> exchange.sendResponseHeaders(204, 0),
        HttpServerOptions.builder().tls(TlsOptions.pem(certificates.serverChainPem(), pkcs1).build()));

    try (Response response = client(false).newCall(new Request.Builder().url(url(server) + "/").build()).execute()) {
      assertThat(response.code()).isEqualTo(204);
    }
  }

  // --- fixtures ---

  private static HttpServerOptions.Builder tlsPem() {
    return HttpServerOptions.builder().tls(TlsOptions.pem(certificates.serverChainPem(), certificates.serverKeyPem()).build());
  }

  /** The proxy over one simulated Ollama, on TLS as {@code options} say. */
  private FlowHttpServer proxy(HttpServerOptions.Builder options) throws IOException {
    backend = SimulatedOllama.builder().id("sim").models(List.of(MODEL)).tokenDelay(Duration.ofMillis(1)).start();
    open.add(backend);
    InMemoryConfigStore store = new InMemoryConfigStore();
    store.putBackend(Backend.builder("sim").hostname("127.0.0.1").port(backend.port()).build());
    store.putFrontend(Frontend.builder("clients").backends(List.of("sim")).build());
    cluster = FlowCluster.builder().configStore(store).disableActiveHealthChecks().build();
    open.add(cluster);
    return server(cluster.httpHandler(), options);
  }

  private FlowHttpServer server(FlowHttpHandler handler, HttpServerOptions.Builder options) throws IOException {
    FlowHttpServer server = FlowHttpServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), handler,
        options.build());
    open.add(server);
    return server;
  }

  private static String url(FlowHttpServer server) {
    return "https://localhost:" + server.port();
  }

  private static Request chat(FlowHttpServer server) {
    return new Request.Builder().url(url(server) + "/api/chat").post(RequestBody.create(CHAT, JSON)).build();
  }

  private static OkHttpClient client(boolean withClientCertificate) {
    return new OkHttpClient.Builder()
        .sslSocketFactory(certificates.clientContext(withClientCertificate).getSocketFactory(), certificates.trustManager())
        .readTimeout(Duration.ofSeconds(10))
        .build();
  }

  private record Curl(int exit, String output) {}

  private static Curl curl(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("curl", "-sS", "--max-time", "20"));
    command.addAll(List.of(args));
    Process process;
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException noCurl) {
      Assumptions.abort("curl is not installed");
      throw noCurl;
    }
    String output = new String(process.getInputStream().readAllBytes(), UTF_8);
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return new Curl(process.exitValue(), output);
  }

  /** The answer text of an Ollama chat response. */
  private static String answerText(String body) throws IOException {
    return MAPPER.readTree(body).path("message").path("content").asText();
  }
}
