package io.ollamaflow.core.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.function.BiConsumer;

/**
 * The surface of one HTTP exchange that the cluster needs; an adapter implements it over its
 * server (see {@link JdkHttpServerAdapter} and {@link FlowServlet}). Used by one thread at a time.
 */
public interface FlowHttpExchange {
  /** Response length to pass to {@link #sendResponseHeaders} when it is not known in advance. */
  long UNKNOWN_LENGTH = -1;

  String method();

  /**
   * The HTTP version on the request line, such as {@code HTTP/1.1} (a frontend's
   * {@code BlockHttp10} refuses {@code HTTP/1.0}). Adapters over servers that do not tell answer
   * {@code HTTP/1.1}.
   */
  default String protocol() {
    return "HTTP/1.1";
  }

  /** The request path, still percent-encoded, relative to where the handler is mounted; starts with {@code /}. */
  String rawPath();

  /** The query string without {@code ?}, still percent-encoded; null if none. */
  String rawQuery();

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
   * Sends the status line and headers.
   *
   * @param contentLength the exact body length, 0 for no body, or {@link #UNKNOWN_LENGTH} for a
   *     body streamed in chunks
   */
  void sendResponseHeaders(int status, long contentLength) throws IOException;

  /** The response body; each {@code flush()} sends what was written so far to the client. */
  OutputStream responseBody();
}
