package io.ollamaflow.core.internal.proxy;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import io.ollamaflow.api.ErrorCode;
import io.ollamaflow.api.FlowException;
import io.ollamaflow.core.internal.json.Json;
import io.ollamaflow.core.internal.routing.ApiEndpoint.ModelField;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.Consumer;

/**
 * A client's request body, read whole before the request is routed (so a slow upload never holds
 * a backend slot while it dawdles) and held in a {@link BodyBuffer}: memory, then a temporary
 * file. For routes that name a model, Jackson's streaming parser reads only until the top-level
 * model field appears; the rest is copied without parsing. Being whole, it has a known length and
 * can be sent to another backend after a failed attempt.
 *
 * <p>When the body may be logged, its start is handed to a {@code keep} callback as an
 * {@link BodyExcerpt} once reading ended, however it ended: a body refused as malformed or too
 * large is what an operator most wants to see.
 */
final class ClientBody implements Closeable {
  private final BodyBuffer bytes;
  private final String model;

  private ClientBody(BodyBuffer bytes, String model) {
    this.bytes = bytes;
    this.model = model;
  }

  /**
   * A body kept as it comes, without looking inside (blob uploads).
   *
   * @param keep receives the body's start when reading ended; null when it is not logged
   */
  static ClientBody passThrough(InputStream client, long limit, BodySpool spool, Consumer<BodyExcerpt> keep)
      throws IOException {
    BodyBuffer bytes = new BodyBuffer(spool, -1);
    try {
      bytes.readRest(new LimitedClientStream(client, limit));
      return held(bytes, null, keep);
    } catch (IOException | RuntimeException e) {
      discard(bytes, keep);
      throw e;
    }
  }

  /** A complete body made by the proxy (a rewritten request). */
  static ClientBody of(byte[] bytes, String model) {
    return new ClientBody(new BodyBuffer(bytes), model);
  }

  /**
   * Reads the whole body, finding the model on the way.
   *
   * @param declaredLength the client's Content-Length, or -1 when the body is chunked
   * @param keep receives the body's start when reading ended, refused or not; null when it is not logged
   * @throws FlowException 400 when the body is empty, not a JSON object, malformed before the
   *     model, names the model with something other than a string, or has a {@code stream} that is
   *     not a boolean (checked to the body's end when the parser's first reads took it all, else up
   *     to the model); 503 when the spool is full
   * @throws ClientBodyException when the body is over {@code limit} or the client stopped sending
   */
  static ClientBody sniffModel(InputStream client, long limit, long declaredLength, ModelField field,
      BodySpool spool, Consumer<BodyExcerpt> keep) throws IOException {
    InputStream limited = new LimitedClientStream(client, limit);
    BodyBuffer bytes = new BodyBuffer(spool, declaredLength);
    try (JsonParser parser = Json.FACTORY.createParser(new TeeInputStream(limited, bytes))) {
      String primary = field == ModelField.SOURCE ? "source" : "model";
      String fallback = field == ModelField.MODEL_OR_NAME ? "name" : null;
      JsonToken token = parser.nextToken();
      if (token == null) throw badRequest("missing request body");
      if (token != JsonToken.START_OBJECT) throw badRequest("request body must be a JSON object, not " + describe(token));
      String fallbackValue = null;
      while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
        String key = parser.currentName();
        token = parser.nextToken();
        boolean isPrimary = key.equals(primary);
        if (isPrimary || key.equals(fallback)) {
          String value = modelValue(key, token, parser);
          if (isPrimary && value != null) {
            // A body the parser already holds costs no I/O to check to its end; a longer one is copied unparsed.
            if (declaredLength >= 0 && bytes.size() >= declaredLength) checkRemainingFields(parser);
            bytes.readRest(limited);
            return held(bytes, value, keep);
          }
          if (!isPrimary) fallbackValue = value;
        } else {
          checkOrSkip(key, token, parser);
        }
      }
      // No model: keep whatever follows the object too (a trailing newline, or garbage for the backend to refuse).
      bytes.readRest(limited);
      return held(bytes, fallbackValue, keep);
    } catch (JsonProcessingException e) {
      discard(bytes, keep);
      throw badRequest("malformed JSON in request body: " + Json.describe(e));
    } catch (IOException | RuntimeException e) {
      discard(bytes, keep);
      throw e;
    }
  }

  private static ClientBody held(BodyBuffer bytes, String model, Consumer<BodyExcerpt> keep) {
    keepStart(bytes, keep);
    return new ClientBody(bytes, model);
  }

  /** A refused body: what was read of it is kept for the log, then the room it took is given back. */
  private static void discard(BodyBuffer bytes, Consumer<BodyExcerpt> keep) throws IOException {
    try {
      keepStart(bytes, keep);
    } finally {
      bytes.close();
    }
  }

  /** Hands the body's start to {@code keep}; a spill file that cannot be read costs the log line, never the request. */
  private static void keepStart(BodyBuffer bytes, Consumer<BodyExcerpt> keep) {
    if (keep == null) return;
    try {
      keep.accept(BodyExcerpt.of(bytes));
    } catch (IOException unreadable) {
      // the request matters more than its log line
    }
  }

  /** Malformed JSON after the model is left for the backend to judge, as a body read in part would be. */
  private static void checkRemainingFields(JsonParser parser) throws IOException {
    try {
      for (JsonToken token; (token = parser.nextToken()) == JsonToken.FIELD_NAME; ) {
        String key = parser.currentName();
        checkOrSkip(key, parser.nextToken(), parser);
      }
    } catch (JsonProcessingException malformed) {
    }
  }

  /** {@code stream} decides how the answer is framed, so a value of the wrong type is the client's error, not the backend's. */
  private static void checkOrSkip(String key, JsonToken token, JsonParser parser) throws IOException {
    if (key.equals("stream") && token != JsonToken.VALUE_TRUE && token != JsonToken.VALUE_FALSE
        && token != JsonToken.VALUE_NULL) {
      throw badRequest("stream: expected a boolean, got " + describe(token));
    }
    if (token.isStructStart()) parser.skipChildren();
  }

  private static String modelValue(String key, JsonToken token, JsonParser parser) throws IOException {
    if (token == JsonToken.VALUE_NULL) return null;
    if (token != JsonToken.VALUE_STRING) throw badRequest(key + ": expected a string, got " + describe(token));
    String value = parser.getText();
    return value.isEmpty() ? null : value;
  }

  private static String describe(JsonToken token) {
    switch (token) {
      case START_OBJECT: return "an object";
      case START_ARRAY: return "an array";
      case VALUE_STRING: return "a string";
      case VALUE_NUMBER_INT: case VALUE_NUMBER_FLOAT: return "a number";
      case VALUE_TRUE: case VALUE_FALSE: return "a boolean";
      case VALUE_NULL: return "null";
      default: return token.toString();
    }
  }

  private static FlowException badRequest(String message) {
    return new FlowException(ErrorCode.BAD_REQUEST, message);
  }

  /** The model named in the body; null if none (or a pass-through body). */
  String model() {
    return model;
  }

  /** The body's length in bytes. */
  long length() {
    return bytes.size();
  }

  /**
   * The whole body as JSON (small bodies the proxy must inspect).
   *
   * @throws FlowException 400 when the body is not well-formed JSON
   */
  JsonNode json() throws IOException {
    try (InputStream in = open()) {
      return Json.MAPPER.readTree(in);
    } catch (JsonProcessingException e) {
      throw new FlowException(ErrorCode.BAD_REQUEST, "malformed JSON in request body: " + Json.describe(e));
    }
  }

  /** A new stream over the whole body. */
  InputStream open() throws IOException {
    return bytes.open();
  }

  @Override
  public void close() throws IOException {
    bytes.close();
  }
}
