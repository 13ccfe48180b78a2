package io.ollamaflow.examples.sim;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes one streamed response, one event per flush, a token delay apart. Any IOException it
 * throws must leave the handler: the JDK server then drops the connection without the final
 * empty chunk, which is how both a vanished client and a simulated cut look on the wire.
 */
final class StreamWriter {
  enum Framing {
    NDJSON("application/x-ndjson", "", "\n"),
    SSE("text/event-stream", "data: ", "\n\n");

    private final String contentType;
    private final String prefix;
    private final String suffix;

    Framing(String contentType, String prefix, String suffix) {
      this.contentType = contentType;
      this.prefix = prefix;
      this.suffix = suffix;
    }

    String contentType() {
      return contentType;
    }
  }

  private final OutputStream out;
  private final Framing framing;
  private final SimState sim;
  private int lines;

  StreamWriter(OutputStream out, Framing framing, SimState sim) {
    this.out = out;
    this.framing = framing;
    this.sim = sim;
  }

  void send(JsonNode event) throws IOException {
    write(SimExchange.JSON.writeValueAsString(event));
  }

  /** The SSE terminator OpenAI clients wait for. */
  void sendDone() throws IOException {
    write("[DONE]");
  }

  private void write(String payload) throws IOException {
    int cutAfter = sim.faults.cutAfterLines();
    if (cutAfter >= 0 && lines >= cutAfter) {
      throw new IOException("stream cut by fault injection after " + lines + " lines");
    }
    if (lines > 0) {
      sim.pauseTokens(1);
    }
    byte[] bytes = (framing.prefix + payload + framing.suffix).getBytes(StandardCharsets.UTF_8);
    try {
      out.write(bytes);
      out.flush();
    } catch (IOException e) {
      // The client (or the proxy) went away: stop generating, as Ollama cancels the runner.
      sim.cancelledStreams.incrementAndGet();
      throw e;
    }
    lines++;
  }
}
