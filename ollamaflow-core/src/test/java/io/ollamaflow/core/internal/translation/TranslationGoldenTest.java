package io.ollamaflow.core.internal.translation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ollamaflow.api.ApiTranslator;
import io.ollamaflow.api.FlowException;
import io.ollamaflow.api.RequestKind;
import io.ollamaflow.api.StreamTranslator;
import io.ollamaflow.api.TranslatedRequest;
import io.ollamaflow.api.TranslationContext;
import io.ollamaflow.core.internal.json.Json;
import io.ollamaflow.core.internal.routing.ApiEndpoint;
import io.ollamaflow.core.internal.routing.EndpointClassifier;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import okio.Buffer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Runs every recorded case under {@code src/test/resources/translation/<direction>/<case>/}:
 * <ul>
 *   <li>{@code context.json}: {@code {"clientPath": "/api/chat"}}, optionally {@code "model"}
 *       (default: the client body's model) and {@code "elapsedNanos"} (default 1000000000);</li>
 *   <li>{@code client-request.json}: the client's body (absent for requests without one);</li>
 *   <li>{@code backend-request.json}: the expected {@code {"method","path","body"}}, with
 *       {@code "droppedFields"} when the translator drops some of the client's fields; or
 *       {@code refused.json}, {@code {"status":400,"messageContains":"..."}}, when the
 *       translator must refuse the request (then nothing else is needed);</li>
 *   <li>{@code backend-response.json|.ndjson|.sse}: what the backend answers, on the wire;</li>
 *   <li>{@code client-response.json|.ndjson|.sse}: what the client must receive, on the wire.</li>
 * </ul>
 * Expected JSON matches exactly (same keys, same values, same array lengths) except that the
 * string {@code "*"} matches any non-null value (ids, timestamps, measured durations). Streams are
 * framed by {@link StreamEvents} as core frames them and compared event by event.
 */
class TranslationGoldenTest {
  private static final Map<String, ApiTranslator> DIRECTIONS = Map.of(
      "ollama-to-openai", new OllamaToOpenAi(),
      "openai-to-ollama", new OpenAiToOllama());

  @TestFactory
  Stream<DynamicTest> everyRecordedCase() throws IOException, URISyntaxException {
    Path root = Path.of(TranslationGoldenTest.class.getResource("/translation").toURI());
    List<DynamicTest> tests = new ArrayList<>();
    for (Map.Entry<String, ApiTranslator> direction : DIRECTIONS.entrySet()) {
      if (!Files.isDirectory(root.resolve(direction.getKey()))) continue;
      try (Stream<Path> cases = Files.list(root.resolve(direction.getKey()))) {
        cases.filter(Files::isDirectory).sorted().forEach(dir -> tests.add(DynamicTest.dynamicTest(
            direction.getKey() + "/" + dir.getFileName(), () -> run(direction.getValue(), dir))));
      }
    }
    assertThat(tests).as("recorded cases").isNotEmpty();
    return tests.stream();
  }

  private static void run(ApiTranslator translator, Path dir) throws IOException {
    JsonNode contextJson = readJson(dir.resolve("context.json"));
    ObjectNode clientRequest = Files.exists(dir.resolve("client-request.json"))
        ? (ObjectNode) readJson(dir.resolve("client-request.json")) : null;
    String clientPath = contextJson.path("clientPath").asText();
    ApiEndpoint endpoint = EndpointClassifier.lookup(clientPath);
    assertThat(endpoint).as("route of " + clientPath).isNotNull();
    RequestKind kind = endpoint.kind();
    String model = contextJson.has("model") ? contextJson.get("model").asText()
        : clientRequest == null ? null : clientRequest.path("model").textValue();
    boolean stream = ClientStreams.requested(translator.from(), kind, clientRequest);
    long elapsed = contextJson.path("elapsedNanos").asLong(1_000_000_000L);
    TranslationContext context = new FixedContext(kind, clientPath, model, stream,
        clientRequest == null ? null : clientRequest.deepCopy(), elapsed);
    assertThat(translator.supports(kind)).as("supports " + kind).isTrue();

    if (Files.exists(dir.resolve("refused.json"))) {
      JsonNode refused = readJson(dir.resolve("refused.json"));
      assertThatThrownBy(() -> translator.translateRequest(context, clientRequest == null ? null : clientRequest.deepCopy()))
          .isInstanceOfSatisfying(FlowException.class, e -> {
            assertThat(e.httpStatus()).isEqualTo(refused.path("status").asInt());
            assertThat(e.getMessage()).contains(refused.path("messageContains").asText());
          });
      return;
    }

    TranslatedRequest sent = translator.translateRequest(context, clientRequest == null ? null : clientRequest.deepCopy());
    ObjectNode actualRequest = Json.MAPPER.createObjectNode();
    actualRequest.put("method", sent.method());
    actualRequest.put("path", sent.path());
    actualRequest.set("body", sent.body());
    if (!sent.droppedFields().isEmpty()) {
      sent.droppedFields().forEach(actualRequest.putArray("droppedFields")::add);
    }
    assertMatches(readJson(dir.resolve("backend-request.json")), actualRequest, "backend request");

    Path backendJson = dir.resolve("backend-response.json");
    if (Files.exists(backendJson)) {
      ObjectNode translated = translator.translateResponse(context, (ObjectNode) readJson(backendJson));
      assertMatches(readJson(dir.resolve("client-response.json")), translated, "client response");
      return;
    }
    boolean backendSse = Files.exists(dir.resolve("backend-response.sse"));
    byte[] backendWire = Files.readAllBytes(dir.resolve(backendSse ? "backend-response.sse" : "backend-response.ndjson"));
    StreamTranslator streamTranslator = translator.newStreamTranslator(context);
    ByteArrayOutputStream clientWire = new ByteArrayOutputStream();
    StreamEvents.Reader reader = new StreamEvents.Reader(new Buffer().write(backendWire), backendSse);
    for (String payload; (payload = reader.next()) != null; ) {
      if (payload.equals("[DONE]")) break;
      for (ObjectNode event : streamTranslator.onEvent((ObjectNode) Json.MAPPER.readTree(payload))) {
        clientWire.write(StreamEvents.frame(translator.from(), event));
      }
    }
    for (ObjectNode event : streamTranslator.onEnd()) clientWire.write(StreamEvents.frame(translator.from(), event));
    clientWire.write(StreamEvents.end(translator.from()));

    boolean clientSse = StreamEvents.sse(translator.from());
    Path expectedFile = dir.resolve(clientSse ? "client-response.sse" : "client-response.ndjson");
    List<String> expected = payloads(Files.readAllBytes(expectedFile), clientSse);
    List<String> actual = payloads(clientWire.toByteArray(), clientSse);
    assertThat(actual).as("number of client events, got:\n" + String.join("\n", actual)).hasSameSizeAs(expected);
    for (int i = 0; i < expected.size(); i++) {
      if (expected.get(i).equals("[DONE]") || actual.get(i).equals("[DONE]")) {
        assertThat(actual.get(i)).as("client event " + i).isEqualTo(expected.get(i));
      } else {
        assertMatches(Json.MAPPER.readTree(expected.get(i)), Json.MAPPER.readTree(actual.get(i)), "client event " + i);
      }
    }
  }

  private static List<String> payloads(byte[] wire, boolean sse) throws IOException {
    List<String> payloads = new ArrayList<>();
    StreamEvents.Reader reader = new StreamEvents.Reader(new Buffer().write(wire), sse);
    for (String payload; (payload = reader.next()) != null; ) payloads.add(payload);
    return payloads;
  }

  static void assertMatches(JsonNode expected, JsonNode actual, String where) {
    String context = where + "\nexpected: " + expected + "\nactual:   " + actual;
    match(expected, actual, "$", context);
  }

  private static void match(JsonNode expected, JsonNode actual, String path, String context) {
    if (expected.isTextual() && expected.textValue().equals("*")) {
      assertThat(actual != null && !actual.isNull()).as(path + " must be present; " + context).isTrue();
      return;
    }
    assertThat(actual).as(path + " must be present; " + context).isNotNull();
    if (expected.isObject()) {
      assertThat(actual.isObject()).as(path + " must be an object; " + context).isTrue();
      List<String> expectedNames = new ArrayList<>();
      expected.fieldNames().forEachRemaining(expectedNames::add);
      List<String> actualNames = new ArrayList<>();
      actual.fieldNames().forEachRemaining(actualNames::add);
      assertThat(actualNames).as(path + " fields; " + context).containsExactlyInAnyOrderElementsOf(expectedNames);
      for (String name : expectedNames) match(expected.get(name), actual.get(name), path + "." + name, context);
    } else if (expected.isArray()) {
      assertThat(actual.isArray()).as(path + " must be an array; " + context).isTrue();
      assertThat(actual.size()).as(path + " length; " + context).isEqualTo(expected.size());
      Iterator<JsonNode> e = expected.elements();
      Iterator<JsonNode> a = actual.elements();
      for (int i = 0; e.hasNext(); i++) match(e.next(), a.next(), path + "[" + i + "]", context);
    } else if (expected.isNumber() && actual.isNumber()) {
      assertThat(actual.decimalValue()).as(path + "; " + context).isEqualByComparingTo(expected.decimalValue());
    } else {
      assertThat(actual).as(path + "; " + context).isEqualTo(expected);
    }
  }

  private static JsonNode readJson(Path file) throws IOException {
    return Json.MAPPER.readTree(file.toFile());
  }

  private static final class FixedContext implements TranslationContext {
    private final RequestKind kind;
    private final String clientPath;
    private final String model;
    private final boolean stream;
    private final ObjectNode clientRequest;
    private final long elapsedNanos;

    FixedContext(RequestKind kind, String clientPath, String model, boolean stream, ObjectNode clientRequest,
        long elapsedNanos) {
      this.kind = kind;
      this.clientPath = clientPath;
      this.model = model;
      this.stream = stream;
      this.clientRequest = clientRequest;
      this.elapsedNanos = elapsedNanos;
    }

    @Override public RequestKind kind() { return kind; }
    @Override public String clientPath() { return clientPath; }
    @Override public String model() { return model; }
    @Override public boolean stream() { return stream; }
    @Override public ObjectNode clientRequest() { return clientRequest; }
    @Override public long elapsedNanos() { return elapsedNanos; }
  }
}
