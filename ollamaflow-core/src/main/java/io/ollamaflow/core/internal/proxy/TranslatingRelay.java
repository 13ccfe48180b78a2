package io.ollamaflow.core.internal.proxy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ollamaflow.api.ApiFormat;
import io.ollamaflow.api.ErrorCode;
import io.ollamaflow.api.FlowException;
import io.ollamaflow.api.StreamTranslator;
import io.ollamaflow.core.internal.Events;
import io.ollamaflow.core.internal.json.Json;
import io.ollamaflow.core.internal.models.ModelNotFound;
import io.ollamaflow.core.internal.routing.AnswerTimings;
import io.ollamaflow.core.internal.translation.StreamEvents;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Locale;
import okhttp3.Call;
import okhttp3.Response;
import okio.Buffer;
import okio.BufferedSource;

/**
 * Relays a backend's answer to a request that was translated for it: errors become errors of the
 * client's dialect with the backend's status; a stream is read event by event, translated, framed
 * for the client and flushed whenever the backend has nothing more buffered, so translation adds
 * no waiting; a whole answer is translated whole.
 */
final class TranslatingRelay {
  /** Names the client's fields the translation left out (vendor extensions the backend has no use for). */
  static final String DROPPED_FIELDS_HEADER = "X-OllamaFlow-Dropped-Fields";
  /** Bounds what is held of a non-streamed answer or an error body. */
  private static final long MAX_WHOLE_ANSWER = 64L * 1024 * 1024;

  private final ProxyCall exchange;
  private final RequestState request;
  private final Events events;
  private final Translations.Translated translation;
  private final ApiFormat dialect;

  TranslatingRelay(ProxyCall exchange, RequestState request, Events events, Translations.Translated translation) {
    this.exchange = exchange;
    this.request = request;
    this.events = events;
    this.translation = translation;
    this.dialect = request.endpoint().format();
  }

  /**
   * @throws ClientGoneException when writing to the client failed; the backend call is cancelled
   * @throws FlowException when the answer cannot be translated, before anything was sent
   */
  AnswerTimings relay(Call call, Response response, String backendId) throws IOException {
    RoutingHeaders.add(exchange, request, backendId);
    List<String> dropped = translation.request.droppedFields();
    if (!dropped.isEmpty()) exchange.addResponseHeader(DROPPED_FIELDS_HEADER, String.join(", ", dropped));
    int status = response.code();
    if (status / 100 != 2) {
      answerWhole(call, status, ErrorResponses.body(dialect, status, backendError(response)));
      return AnswerTimings.NONE;
    } else if (translation.context.stream()) {
      boolean backendStreams = streamed(response);
      // An Ollama backend answers some streamed requests (a model load) with one JSON object: it
      // is read whole (bounded, and refused before anything is sent if it is not JSON), then
      // relayed as a stream of one event.
      BufferedSource source = backendStreams ? response.body().source()
          : new Buffer().write(Json.MAPPER.writeValueAsBytes(wholeJson(response, backendId)));
      return relayStream(call, new StreamEvents.Reader(source, backendStreams && StreamEvents.sse(backendFormat())),
          backendId);
    } else {
      ObjectNode whole = wholeJson(response, backendId);
      ObjectNode answer = translation.translator.translateResponse(translation.context, whole);
      answerWhole(call, status, Json.MAPPER.writeValueAsBytes(answer));
      return AnswerTimings.of(whole);
    }
  }

  /** @return the durations in the backend's last event, when it reports them (an Ollama stream's final line) */
  private AnswerTimings relayStream(Call call, StreamEvents.Reader reader, String backendId) throws IOException {
    exchange.addResponseHeader("Content-Type", StreamEvents.contentType(dialect));
    exchange.addResponseHeader("Cache-Control", "no-cache");
    send(call, 200, ProxyCall.UNKNOWN_LENGTH);
    events.firstByte(request);
    OutputStream out = exchange.responseBody();
    StreamTranslator translator = translation.translator.newStreamTranslator(translation.context);
    long relayed = 0;
    ObjectNode lastEvent = null;
    while (true) {
      String payload;
      try {
        payload = reader.next();
      } catch (IOException e) {
        endWithError(call, out, CutShort.report(request, backendId, relayed + " events", e));
        return AnswerTimings.NONE;
      }
      if (payload == null || payload.equals("[DONE]")) break;
      ObjectNode event = event(payload);
      if (event == null) {
        endWithError(call, out, "backend '" + backendId + "' sent an event that is not a JSON object");
        return AnswerTimings.NONE;
      }
      if (hasError(event)) {
        endWithError(call, out, errorMessage(event));
        return AnswerTimings.NONE;
      }
      lastEvent = event;
      write(call, out, translator.onEvent(event));
      relayed++;
      if (!reader.buffered()) flush(call, out);
    }
    List<ObjectNode> last;
    try {
      last = translator.onEnd();
    } catch (FlowException e) {
      endWithError(call, out, e.getMessage());
      return AnswerTimings.NONE;
    }
    write(call, out, last);
    writeBytes(call, out, StreamEvents.end(dialect));
    flush(call, out);
    return lastEvent == null ? AnswerTimings.NONE : AnswerTimings.of(lastEvent);
  }

  private ApiFormat backendFormat() {
    return translation.translator.to();
  }

  private void endWithError(Call call, OutputStream out, String message) throws IOException {
    FlowException failure = new FlowException(ErrorCode.BACKEND_ERROR, message);
    request.failedMidResponse(failure);
    endWithError(call, out, failure);
  }

  /** Ends the stream with {@code failure}, already reported, as the client's dialect's error event. */
  private void endWithError(Call call, OutputStream out, FlowException failure) throws IOException {
    call.cancel();
    writeBytes(call, out, ErrorResponses.streamEvent(dialect, failure, StreamEvents.sse(dialect)));
    writeBytes(call, out, StreamEvents.end(dialect));
    flush(call, out);
  }

  private void write(Call call, OutputStream out, List<ObjectNode> events) throws IOException {
    for (ObjectNode event : events) writeBytes(call, out, StreamEvents.frame(dialect, event));
  }

  private static void writeBytes(Call call, OutputStream out, byte[] bytes) throws ClientGoneException {
    try {
      out.write(bytes);
    } catch (IOException e) {
      call.cancel();
      throw new ClientGoneException(e);
    }
  }

  private static void flush(Call call, OutputStream out) throws ClientGoneException {
    try {
      out.flush();
    } catch (IOException e) {
      call.cancel();
      throw new ClientGoneException(e);
    }
  }

  private void answerWhole(Call call, int status, byte[] body) throws ClientGoneException {
    request.responseStarted(status);
    try {
      exchange.sendJson(status, body);
    } catch (IOException e) {
      call.cancel();
      throw new ClientGoneException(e);
    }
  }

  private void send(Call call, int status, long length) throws ClientGoneException {
    try {
      exchange.sendResponseHeaders(status, length);
    } catch (IOException e) {
      call.cancel();
      throw new ClientGoneException(e);
    }
    request.responseStarted(status);
  }

  private ObjectNode wholeJson(Response response, String backendId) throws IOException {
    String text = wholeText(response);
    ObjectNode json = event(text);
    if (json == null) {
      throw new FlowException(ErrorCode.BACKEND_ERROR, "backend '" + backendId + "' answered with something other"
          + " than a JSON object: " + excerpt(text));
    }
    return json;
  }

  /**
   * The message of a backend's error answer, in either dialect ({@code {"error":"..."}},
   * {@code {"error":{"message":...}}}, vLLM's older flat {@code {"message":...}}), or its text.
   * A missing model is worded as the client's dialect words it, so clients react as they do to
   * their own server.
   */
  private String backendError(Response response) throws IOException {
    if (response.code() == 404 && request.model() != null) {
      return ModelNotFound.message(dialect, request.model());
    }
    String text = wholeText(response);
    ObjectNode json = event(text);
    if (json != null) {
      String message = errorMessage(json);
      if (message != null) return message;
    }
    return text.isBlank() ? "backend answered " + response.code() : excerpt(text);
  }

  /** The whole answer; one cut short is a backend failure, answered before anything is sent. */
  private String wholeText(Response response) throws IOException {
    BufferedSource source = response.body().source();
    boolean longer;
    try {
      longer = source.request(MAX_WHOLE_ANSWER);
    } catch (IOException e) {
      throw CutShort.failure(request.backendId(), source.getBuffer().size() + " bytes", e);
    }
    if (!longer) return source.readUtf8();
    throw new FlowException(ErrorCode.BACKEND_ERROR, "backend answer longer than " + MAX_WHOLE_ANSWER + " bytes");
  }

  private static ObjectNode event(String payload) {
    try {
      JsonNode json = Json.MAPPER.readTree(payload);
      return json != null && json.isObject() ? (ObjectNode) json : null;
    } catch (JsonProcessingException e) {
      return null;
    }
  }

  private static boolean hasError(ObjectNode event) {
    JsonNode error = event.get("error");
    return error != null && !error.isNull();
  }

  private static String errorMessage(ObjectNode json) {
    JsonNode error = json.get("error");
    if (error != null && error.isTextual()) return error.textValue();
    if (error != null && error.path("message").isTextual()) return error.path("message").textValue();
    if (json.path("message").isTextual() && "error".equals(json.path("object").textValue())) {
      return json.path("message").textValue();
    }
    return error == null || error.isNull() ? null : error.toString();
  }

  private static String excerpt(String text) {
    String trimmed = text.strip();
    return trimmed.length() <= 200 ? trimmed : trimmed.substring(0, 200) + "...";
  }

  private static boolean streamed(Response response) {
    String type = response.header("Content-Type");
    if (type == null) return false;
    type = type.toLowerCase(Locale.ROOT);
    return type.startsWith("text/event-stream") || type.startsWith("application/x-ndjson");
  }
}
