package io.ollamaflow.core.internal.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/** The one Jackson configuration of core: compact output, no source excerpts in error messages. */
public final class Json {
  public static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
          // Jackson's default keeps parser buffers per thread, and a connection's thread lives as
          // long as its stream: thousands of open streams would each keep about 12 KB.
          .recyclerPool(JsonRecyclerPools.sharedConcurrentDequePool())
          .build())
      .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
      .disable(StreamReadFeature.AUTO_CLOSE_SOURCE)
      .build();

  public static final JsonFactory FACTORY = MAPPER.getFactory();

  private Json() {}

  /** A parser error as a client can read it: Jackson's message without its internal details. */
  public static String describe(com.fasterxml.jackson.core.JsonProcessingException e) {
    String message = e.getOriginalMessage();
    int detail = message.indexOf(" (for ");
    if (detail > 0) message = message.substring(0, detail);
    if (e.getLocation() != null && e.getLocation().getLineNr() > 0) {
      message += " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
    }
    return message;
  }

}
