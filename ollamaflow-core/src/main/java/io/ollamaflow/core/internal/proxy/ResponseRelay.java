package io.ollamaflow.core.internal.proxy;

import io.ollamaflow.api.FlowException;
import io.ollamaflow.core.internal.Events;
import io.ollamaflow.core.internal.routing.AnswerTimings;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Locale;
import okhttp3.Call;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.BufferedSource;

/**
 * Copies a backend's response to the client byte for byte, flushing whenever the backend has
 * nothing more buffered, so each NDJSON line and SSE event leaves as soon as it arrives.
 */
final class ResponseRelay {
  /** Enough for an Ollama answer's closing fields (its durations and counts), not its context array. */
  private static final int TAIL_BYTES = 512;

  private final ProxyCall exchange;
  private final RequestState request;
  private final Events events;
  /** The proxy asked for an OpenAI stream's usage chunk that the client did not ask for ({@link StreamUsage}). */
  private final boolean withoutUsageChunk;

  ResponseRelay(ProxyCall exchange, RequestState request, Events events, boolean withoutUsageChunk) {
    this.exchange = exchange;
    this.request = request;
    this.events = events;
    this.withoutUsageChunk = withoutUsageChunk;
  }

  /**
   * @return the durations the backend reported at the end of its answer, if it is an Ollama answer that has them
   * @throws ClientGoneException when writing to the client failed; the backend call is cancelled
   */
  AnswerTimings relay(Call call, Response response, String backendId) throws IOException {
    int status = response.code();
    HopByHop hopByHop = HopByHop.forResponse(response.headers());
    for (int i = 0; i < response.headers().size(); i++) {
      String name = response.headers().name(i);
      if (!hopByHop.drops(name) && !setByTheProxy(name)) exchange.addResponseHeader(name, response.headers().value(i));
    }
    RoutingHeaders.add(exchange, request, backendId);
    ResponseBody body = response.body();
    boolean bodyless = exchange.method().equals("HEAD") || status == 204 || status == 304;
    // Leaving the usage chunk out changes the length: such a body goes chunked. A compressed one
    // cannot be read for it, and goes as it came.
    boolean filtered = withoutUsageChunk && !bodyless && contentType(response).startsWith("text/event-stream")
        && uncompressed(response);
    long length = bodyless ? 0 : filtered ? ProxyCall.UNKNOWN_LENGTH : body.contentLength();
    try {
      exchange.sendResponseHeaders(status, length);
    } catch (IOException e) {
      call.cancel();
      throw new ClientGoneException(e);
    }
    request.responseStarted(status);
    events.firstByte(request);
    if (bodyless) return AnswerTimings.NONE;
    AnswerTimings timings = copy(call, body.source(), contentType(response), backendId, filtered);
    return status == 200 ? timings : AnswerTimings.NONE;
  }

  private AnswerTimings copy(Call call, BufferedSource source, String contentType, String backendId,
      boolean filtered) throws IOException {
    SseUsageFilter filter = filtered ? new SseUsageFilter(exchange.responseBody()) : null;
    OutputStream out = filter != null ? filter : exchange.responseBody();
    byte[] buffer = new byte[8192];
    // The last bytes relayed, where an Ollama answer reports its durations.
    byte[] tail = new byte[TAIL_BYTES];
    int tailLength = 0;
    int last = '\n';
    long relayed = 0;
    while (true) {
      int n;
      try {
        n = source.read(buffer);
      } catch (IOException e) {
        endStreamWithError(out, contentType, last, backendId, relayed, e);
        return AnswerTimings.NONE;
      }
      if (n < 0) break;
      tailLength = keepTail(tail, tailLength, buffer, n);
      try {
        out.write(buffer, 0, n);
        if (source.getBuffer().size() == 0) out.flush();
      } catch (IOException e) {
        call.cancel();
        throw new ClientGoneException(e);
      }
      last = buffer[n - 1];
      relayed += n;
    }
    if (filter != null) {
      try {
        filter.finish();
      } catch (IOException e) {
        call.cancel();
        throw new ClientGoneException(e);
      }
    }
    return AnswerTimings.inTail(tail, tailLength);
  }

  /** Appends the last bytes of {@code chunk} to {@code tail}, keeping only its capacity's worth. */
  private static int keepTail(byte[] tail, int tailLength, byte[] chunk, int n) {
    if (n >= tail.length) {
      System.arraycopy(chunk, n - tail.length, tail, 0, tail.length);
      return tail.length;
    }
    int keep = Math.min(tailLength, tail.length - n);
    System.arraycopy(tail, tailLength - keep, tail, 0, keep);
    System.arraycopy(chunk, 0, tail, keep, n);
    return keep + n;
  }

  /**
   * The backend failed after the response started: the status is sent, so the client learns of it
   * in the stream's own format, never through a silent truncation. Other bodies are aborted,
   * which the client sees as a length or chunking error.
   */
  private void endStreamWithError(OutputStream out, String contentType, int last, String backendId, long relayed,
      IOException e) throws IOException {
    FlowException failure = CutShort.report(request, backendId, relayed + " bytes", e);
    boolean sse = contentType.startsWith("text/event-stream");
    if (!sse && !contentType.startsWith("application/x-ndjson")) {
      try {
        out.flush();
      } catch (IOException clientGone) {
        throw new ClientGoneException(clientGone);
      }
      throw new CutShort.Aborted(failure);
    }
    try {
      if (last != '\n') out.write(sse ? "\n\n".getBytes() : "\n".getBytes());
      out.write(ErrorResponses.streamEvent(request.dialect(), failure, sse));
      out.flush();
    } catch (IOException clientGone) {
      throw new ClientGoneException(clientGone);
    }
  }

  /**
   * Every server the handler runs in writes its own Date, and the proxy decides which browsers may
   * read an answer: a backend's Date or CORS headers would make two, which browsers refuse.
   */
  private static boolean setByTheProxy(String name) {
    return name.equalsIgnoreCase("Date") || name.regionMatches(true, 0, "Access-Control-", 0, 15);
  }

  private static boolean uncompressed(Response response) {
    String encoding = response.header("Content-Encoding");
    return encoding == null || encoding.equalsIgnoreCase("identity");
  }

  private static String contentType(Response response) {
    String type = response.header("Content-Type");
    return type == null ? "" : type.toLowerCase(Locale.ROOT);
  }
}
