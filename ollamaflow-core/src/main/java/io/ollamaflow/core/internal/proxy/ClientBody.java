package io.ollamaflow.core.internal.proxy;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import io.ollamaflow.api.ErrorCode;
import io.ollamaflow.api.FlowException;
import io.ollamaflow.api.Frontend;
import io.ollamaflow.core.internal.json.Json;
import io.ollamaflow.core.internal.routing.ProxyRoute.ModelField;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;

/**
 * A client's request body on its way to a backend. For routes that name a model, the body is
 * read with Jackson's streaming parser only until the top-level model field appears; those bytes
 * are kept in a {@link BodyPrefix} and the rest is streamed from the client when forwarding. The
 * parser reads in blocks, so a small body is usually read whole; when its length is known (from
 * {@code Content-Length}, or because the object ended without naming a model) it is complete and
 * can be sent more than once.
 */
final class ClientBody implements Closeable {
  private final BodyPrefix prefix;
  private InputStream rest;
  private boolean complete;
  private final String model;
  private boolean retained;
  private boolean opened;

  private ClientBody(BodyPrefix prefix, InputStream rest, boolean complete, String model) {
    this.prefix = prefix;
    this.rest = rest;
    this.complete = complete;
    this.model = model;
  }

  /** A body forwarded as it comes, without looking inside (blob uploads). */
  static ClientBody passThrough(InputStream client, long limit) {
    return new ClientBody(new BodyPrefix(-1), new LimitedClientStream(client, limit), false, null);
  }

  /** A complete body made by the proxy (a rewritten request). */
  static ClientBody of(byte[] bytes, String model) throws IOException {
    BodyPrefix prefix = new BodyPrefix(bytes.length);
    prefix.write(bytes, 0, bytes.length);
    return new ClientBody(prefix, InputStream.nullInputStream(), true, model);
  }

  /**
   * Reads until the model is found.
   *
   * @param declaredLength the client's Content-Length, or -1 when the body is chunked
   * @throws FlowException 400 when the body is empty, not a JSON object, malformed before the
   *     model, names the model with something other than a string, or has a {@code stream} that is
   *     not a boolean (checked to the body's end when it has been read whole, else up to the model)
   */
  static ClientBody sniffModel(InputStream client, long limit, long declaredLength, ModelField field) throws IOException {
    InputStream limited = new LimitedClientStream(client, limit);
    BodyPrefix prefix = new BodyPrefix(declaredLength);
    try (JsonParser parser = Json.FACTORY.createParser(new TeeInputStream(limited, prefix))) {
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
            boolean complete = declaredLength >= 0 && prefix.size() >= declaredLength;
            // A body already read whole costs no I/O to check to its end; a longer one is checked up to the model.
            if (complete) checkRemainingFields(parser);
            return new ClientBody(prefix, complete ? InputStream.nullInputStream() : limited, complete, value);
          }
          if (!isPrimary) fallbackValue = value;
        } else {
          checkOrSkip(key, token, parser);
        }
      }
      // No model: keep whatever follows the object too (a trailing newline, or garbage for the backend to refuse).
      limited.transferTo(prefix);
      return new ClientBody(prefix, InputStream.nullInputStream(), true, fallbackValue);
    } catch (JsonProcessingException e) {
      prefix.close();
      throw badRequest("malformed JSON in request body: " + Json.describe(e));
    } catch (IOException | RuntimeException e) {
      prefix.close();
      throw e;
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

  /** True when the whole body has been read, so it can be sent again. */
  boolean complete() {
    return complete;
  }

  /** The body's length when it is known without reading further; -1 otherwise. */
  long knownLength() {
    return complete ? prefix.size() : -1;
  }

  /** Reads what the client has still to send, so the whole body is held (small bodies the proxy must inspect). */
  void readFully() throws IOException {
    if (complete) return;
    rest.transferTo(prefix);
    rest = InputStream.nullInputStream();
    complete = true;
  }

  /**
   * The whole body as JSON, read to its end first (small bodies the proxy must inspect).
   *
   * @throws FlowException 400 when the body is not well-formed JSON, 413 when it exceeds the
   *     frontend's MaxRequestBodySize
   * @throws ClientGoneException when the client stopped sending
   */
  JsonNode json(Frontend frontend) throws IOException {
    try {
      readFully();
      try (InputStream in = open()) {
        return Json.MAPPER.readTree(in);
      }
    } catch (JsonProcessingException e) {
      throw new FlowException(ErrorCode.BAD_REQUEST, "malformed JSON in request body: " + Json.describe(e));
    } catch (ClientBodyException e) {
      if (e.tooLarge()) throw ProxyErrors.tooLarge(frontend);
      throw new ClientGoneException(e);
    }
  }

  /**
   * Keeps every byte forwarded from now on, so that the body can be sent again to another backend
   * after an attempt that read part or all of it. Bytes beyond {@link BodyPrefix#MEMORY_LIMIT}
   * go to a temporary file.
   */
  void retainForReplay() {
    retained = true;
  }

  /** True when {@link #open()} will yield the whole body again. */
  boolean replayable() {
    return complete || retained || !opened;
  }

  /** The whole body: the bytes already read, then what the client has still to send. */
  InputStream open() throws IOException {
    opened = true;
    InputStream head = prefix.open();
    if (complete) return head;
    return new SequenceInputStream(head, retained ? new TeeInputStream(rest, prefix) : rest);
  }

  @Override
  public void close() throws IOException {
    prefix.close();
  }
}
