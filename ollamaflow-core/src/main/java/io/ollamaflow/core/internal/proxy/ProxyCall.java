package io.ollamaflow.core.internal.proxy;

import io.ollamaflow.api.ApiFormat;
import io.ollamaflow.api.FlowException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.function.BiConsumer;

/**
 * One request as the proxy serves it, whatever carried it: an HTTP exchange through an adapter
 * ({@link HttpCall}) or an in-process call. The request side is facts and the body; the response
 * side is a sink taking headers, then a status, then the body, or {@link #refuse} when the request
 * ends in an error before any response was started.
 *
 * <p>Used by one thread at a time.
 */
public interface ProxyCall {
  /** Response length to pass to {@link #sendResponseHeaders} when it is not known in advance. */
  long UNKNOWN_LENGTH = -1;

  String method();

  /** The request path, still percent-encoded, relative to where the proxy is mounted; starts with {@code /}. */
  String rawPath();

  /** The query string without {@code ?}, still percent-encoded; null if none. */
  String rawQuery();

  /** Whether the request came as HTTP/1.0 (false for a call that is not HTTP). */
  boolean http10();

  /** The first value of a request header, by case-insensitive name; null if absent. */
  String requestHeader(String name);

  /** Calls {@code action} once per request header value, in arrival order. */
  void forEachRequestHeader(BiConsumer<String, String> action);

  InputStream requestBody();

  /** The client's IP address as text. */
  String remoteAddress();

  /** Adds a response header; call before {@link #sendResponseHeaders}. */
  void addResponseHeader(String name, String value);

  /**
   * Sends the status and headers.
   *
   * @param contentLength the exact body length, 0 for no body, or {@link #UNKNOWN_LENGTH} for a
   *     body streamed in pieces
   */
  void sendResponseHeaders(int status, long contentLength) throws IOException;

  /** The response body; each {@code flush()} hands what was written so far to the client. */
  OutputStream responseBody();

  /**
   * Ends the request with this error, before any response was started: an HTTP call answers it in
   * the client's dialect, an in-process call raises it with its {@link FlowException#code()}.
   */
  void refuse(FlowException error, ApiFormat dialect) throws IOException;

  /** Sends a whole JSON answer, its length up front and no body to a HEAD request. */
  default void sendJson(int status, byte[] json) throws IOException {
    addResponseHeader("Content-Type", ErrorResponses.JSON_CONTENT_TYPE);
    boolean head = method().equals("HEAD");
    sendResponseHeaders(status, head ? 0 : json.length);
    if (head) return;
    OutputStream out = responseBody();
    out.write(json);
    out.flush();
  }
}
