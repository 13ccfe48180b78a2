package io.ollamaflow.core.internal.proxy;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ollamaflow.api.ApiFormat;
import io.ollamaflow.core.internal.json.Json;
import io.ollamaflow.core.internal.routing.ApiEndpoint;
import io.ollamaflow.core.internal.routing.BackendState;
import java.io.IOException;
import java.io.InputStream;

/**
 * Token counts of OpenAI streams relayed as they are: an OpenAI-format server reports a stream's
 * usage only in a last chunk the client asks for ({@code stream_options.include_usage}), so a
 * client that did not ask would leave the request uncounted (metrics, the access line, an API
 * key's TokensPerMinute). The proxy asks on its behalf and keeps that chunk from the client
 * ({@link SseUsageFilter}), which gets the stream it asked for. A backend that refuses
 * {@code stream_options} gets the client's request as it was, and is not asked again.
 */
final class StreamUsage {
  private StreamUsage() {}

  /**
   * Whether the proxy must ask for the usage chunk: an OpenAI completion relayed untranslated to an
   * OpenAI-format backend, streamed, without {@code stream_options.include_usage: true}. A
   * {@code stream_options} that is not an object is the client's to get wrong: left as it is.
   *
   * @param sent the body as it will be sent, after defaults and pins
   */
  static boolean mustAsk(RequestState request, BackendState backend, ClientBody sent) throws IOException {
    ApiEndpoint endpoint = request.endpoint();
    if (sent == null || (endpoint != ApiEndpoint.OPENAI_CHAT && endpoint != ApiEndpoint.OPENAI_COMPLETIONS)
        || !backend.backend().apiFormat().equals(ApiFormat.OPENAI)) {
      return false;
    }
    try (InputStream in = sent.open(); JsonParser parser = Json.FACTORY.createParser(in)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) return false;
      boolean streams = false;
      boolean asked = false;
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String field = parser.currentName();
        JsonToken value = parser.nextToken();
        if (field.equals("stream")) {
          streams = value == JsonToken.VALUE_TRUE;
        } else if (field.equals("stream_options")) {
          if (value != JsonToken.START_OBJECT) return false;
          asked = includesUsage(parser);
        } else if (value.isStructStart()) {
          parser.skipChildren();
        }
      }
      return streams && !asked;
    } catch (JsonProcessingException malformed) {
      return false; // read whole already; the backend judges what it makes of it
    }
  }

  /** The body as sent, asking for the usage chunk: merged over it, so it wins over {@code include_usage: false}. */
  static ClientBody asking(ClientBody sent) throws IOException {
    ObjectNode ask = Json.MAPPER.createObjectNode();
    ask.putObject("stream_options").put("include_usage", true);
    ObjectNode none = Json.MAPPER.createObjectNode();
    return PinnedBodies.apply(sent, null, none, none, ask);
  }

  /** Reads a {@code stream_options} object to its end: whether it has {@code include_usage: true}. */
  private static boolean includesUsage(JsonParser parser) throws IOException {
    boolean include = false;
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String field = parser.currentName();
      JsonToken value = parser.nextToken();
      if (field.equals("include_usage")) include = value == JsonToken.VALUE_TRUE;
      else if (value.isStructStart()) parser.skipChildren();
    }
    return include;
  }
}
