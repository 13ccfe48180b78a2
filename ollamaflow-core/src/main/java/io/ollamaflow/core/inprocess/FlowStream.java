package io.ollamaflow.core.inprocess;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ollamaflow.api.ErrorCode;
import io.ollamaflow.api.FlowException;
import io.ollamaflow.core.internal.json.Json;
import java.io.IOException;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.function.Function;

/**
 * A streamed answer, read chunk by chunk as the backend produces it. Use it once, in
 * try-with-resources:
 *
 * <pre>{@code
 * try (FlowStream<ChatResponse> stream = cluster.chatStream(request)) {
 *   for (ChatResponse chunk : stream) System.out.print(chunk.content());
 * }
 * }</pre>
 *
 * <p>Why a closeable iterator rather than a {@code java.util.concurrent.Flow.Publisher}: the
 * proxy underneath is blocking (one thread relays one stream, and waits while the reader is
 * behind), so a pull-style iterator maps onto it one to one, reads as a plain {@code for} loop,
 * propagates errors as ordinary exceptions at the point of use, and ties the backend call's
 * lifetime to a lexical scope: leaving the {@code try} block early (a {@code break}, an
 * exception) cancels the backend call. A publisher would add a subscription protocol, demand
 * accounting and a second thread hand-off for no gain here; adapt one on top if a reactive
 * library needs it.
 *
 * <p>{@link #close()} before the end stops the stream: the proxy's next write fails and it
 * cancels the backend request, as for an HTTP client that disconnects. Reading blocks the
 * calling thread. Not thread-safe, except that {@link #close()} may be called from another
 * thread to abandon the stream.
 *
 * <p>An error the backend reports mid-stream (an {@code {"error": ...}} line) ends the iteration
 * with a {@link FlowException} whose code is {@link ErrorCode#BACKEND_ERROR}.
 */
public final class FlowStream<T> implements Iterable<T>, Iterator<T>, AutoCloseable {
  private final InProcessCall exchange;
  private final Function<ObjectNode, T> convert;
  private final String backendId;
  private final String requestId;
  private T next;
  private volatile boolean closed;
  private boolean iterated;

  FlowStream(InProcessCall exchange, Function<ObjectNode, T> convert) {
    this.exchange = exchange;
    this.convert = convert;
    this.backendId = exchange.responseHeader("X-OllamaFlow-Backend");
    this.requestId = exchange.responseHeader("X-OllamaFlow-Request");
  }

  /** The backend streaming the answer. */
  public String backendId() {
    return backendId;
  }

  /** The proxy's request id, as in its logs and listener events. */
  public String requestId() {
    return requestId;
  }

  /** This stream itself: it can be iterated once. */
  @Override
  public Iterator<T> iterator() {
    if (iterated) throw new IllegalStateException("a FlowStream can be iterated once");
    iterated = true;
    return this;
  }

  /** Blocks until the next chunk arrives or the stream ends. */
  @Override
  public boolean hasNext() {
    if (next != null) return true;
    if (closed) return false;
    String line;
    try {
      do {
        line = exchange.readLine();
      } while (line != null && line.isBlank());
    } catch (IOException e) {
      close();
      throw new FlowException(ErrorCode.BACKEND_ERROR, "the stream failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      close();
      Thread.currentThread().interrupt();
      throw new FlowException(ErrorCode.INTERNAL, "interrupted while reading the stream");
    }
    if (line == null) {
      closed = true;
      return false;
    }
    JsonNode node;
    try {
      node = Json.MAPPER.readTree(line);
    } catch (JsonProcessingException e) {
      close();
      throw new FlowException(ErrorCode.BACKEND_ERROR, "backend '" + backendId + "' sent a line that is not JSON: "
          + Json.describe(e));
    }
    if (!(node instanceof ObjectNode)) {
      close();
      throw new FlowException(ErrorCode.BACKEND_ERROR, "backend '" + backendId + "' sent a line that is not an object");
    }
    JsonNode error = node.get("error");
    if (error != null) {
      close();
      throw new FlowException(ErrorCode.BACKEND_ERROR, error.isTextual() ? error.textValue() : error.toString());
    }
    next = convert.apply((ObjectNode) node);
    return true;
  }

  @Override
  public T next() {
    if (!hasNext()) throw new NoSuchElementException();
    T result = next;
    next = null;
    return result;
  }

  /** Ends the stream; before its end, this cancels the backend call. Idempotent. */
  @Override
  public void close() {
    if (closed) return;
    closed = true;
    exchange.cancel();
  }
}
