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
 * ({@link SseUsageFilter}), which gets the stream it asked for.
 */
final class StreamUsage {
  /** Merged over the backend's own pins, so it wins over the client's {@code include_usage: false}. */
  private static final ObjectNode ASK = Json.MAPPER.createObjectNode();

  static {
    ASK.putObject("stream_options").put("include_usage", true);
  }

  private StreamUsage() {}

  /**
   * Whether the proxy must ask for the usage chunk: an OpenAI completion relayed untranslated to an
   * OpenAI-format backend, streamed, without {@code stream_options.include_usage: true}.
   */
  static boolean mustAsk(RequestState request, BackendState backend, ClientBody body) throws IOException {
    ApiEndpoint endpoint = request.endpoint();
    if (body == null || (endpoint != ApiEndpoint.OPENAI_CHAT && endpoint != ApiEndpoint.OPENAI_COMPLETIONS)
        || !backend.backend().apiFormat().equals(ApiFormat.OPENAI)) {
      return false;
    }
    try (InputStream in = body.open(); JsonParser parser = Json.FACTORY.createParser(in)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) return false;
      boolean streams = false;
      boolean asked = false;
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String field = parser.currentName();
        JsonToken value = parser.nextToken();
        if (field.equals("stream")) {
          streams = value == JsonToken.VALUE_TRUE;
        } else if (field.equals("stream_options") && value == JsonToken.START_OBJECT) {
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

  /** The backend's pins with the request for the usage chunk on top. */
  static ObjectNode asking(ObjectNode backendPins) {
    return PinnedProperties.merge(backendPins, ASK);
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
