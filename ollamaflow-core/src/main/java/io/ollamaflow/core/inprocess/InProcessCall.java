package io.ollamaflow.core.inprocess;

import io.ollamaflow.api.ApiFormat;
import io.ollamaflow.api.FlowException;
import io.ollamaflow.core.internal.proxy.ProxyCall;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * One in-process call through the proxy's pipeline: the proxy runs on a worker thread and writes
 * the answer's bytes as it would to a socket; each flush hands the bytes written so far to the
 * caller's thread through a bounded queue (so a slow reader slows the backend down, as TCP would).
 * A refusal arrives as the {@link FlowException} itself, its code intact. Once the caller
 * {@link #cancel() cancels}, every write and flush fails, which makes the proxy cancel its
 * backend call exactly as it does for an HTTP client that disconnected.
 */
final class InProcessCall implements ProxyCall {
  private static final Object END = new Object();
  private static final int QUEUED_CHUNKS = 64;

  private final String method;
  private final String rawPath;
  private final byte[] body;
  private final Map<String, String> requestHeaders = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
  private final Map<String, List<String>> responseHeaders = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
  private final CompletableFuture<Integer> status = new CompletableFuture<>();
  private volatile FlowException refusal;
  private final BlockingQueue<Object> chunks = new ArrayBlockingQueue<>(QUEUED_CHUNKS);
  private final Output output = new Output();
  private volatile boolean cancelled;
  // Caller side: the chunk being read.
  private byte[] current = new byte[0];
  private int position;
  private boolean ended;

  InProcessCall(String method, String rawPath, byte[] body, String host, Map<String, String> headers) {
    this.method = method;
    this.rawPath = rawPath;
    this.body = body;
    Map<String, String> all = new LinkedHashMap<>();
    if (host != null) all.put("Host", host);
    all.put("User-Agent", "ollamaflow-inprocess");
    all.put("Accept", "application/json, application/x-ndjson");
    if (body != null) {
      all.put("Content-Type", "application/json");
      all.put("Content-Length", Integer.toString(body.length));
    }
    all.putAll(headers);
    requestHeaders.putAll(all);
  }

  // ---- ProxyCall: the proxy's side, on the worker thread.

  @Override public String method() { return method; }
  @Override public String rawPath() { return rawPath; }
  @Override public String rawQuery() { return null; }
  @Override public boolean http10() { return false; }
  @Override public String requestHeader(String name) { return requestHeaders.get(name); }

  @Override
  public void forEachRequestHeader(BiConsumer<String, String> action) {
    requestHeaders.forEach(action);
  }

  @Override
  public InputStream requestBody() {
    return new ByteArrayInputStream(body == null ? new byte[0] : body);
  }

  /** The caller is this process: loopback, which is also what sticky sessions key on without a sticky header. */
  @Override
  public String remoteAddress() {
    return "127.0.0.1";
  }

  @Override
  public void addResponseHeader(String name, String value) {
    responseHeaders.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
  }

  @Override
  public void sendResponseHeaders(int code, long contentLength) throws IOException {
    if (cancelled) throw new IOException("the in-process caller cancelled the request");
    status.complete(code);
  }

  @Override
  public OutputStream responseBody() {
    return output;
  }

  @Override
  public void refuse(FlowException error, ApiFormat dialect) {
    refusal = error;
    status.complete(error.httpStatus());
  }

  /** Called by the worker when the handler returned (failure null) or threw. */
  void finish(Throwable failure) {
    try {
      output.flush();
    } catch (IOException ignored) {
      // cancelled: nobody reads any more
    }
    if (!status.isDone()) {
      status.completeExceptionally(failure != null ? failure : new IOException("the proxy sent no response"));
    }
    if (!cancelled) chunks.offer(failure != null ? failure : END); // room is left for it: see Output.push
  }

  // ---- The caller's side.

  /** The error the proxy refused the call with, once {@link #awaitStatus()} returned; null when it answered. */
  FlowException refusal() {
    return refusal;
  }

  /** Waits for the status; the response headers are readable once it returns. */
  int awaitStatus() throws IOException, InterruptedException {
    try {
      return status.get();
    } catch (ExecutionException e) {
      throw e.getCause() instanceof IOException ? (IOException) e.getCause() : new IOException(e.getCause());
    }
  }

  /** The first value of a response header; null if absent. */
  String responseHeader(String name) {
    List<String> values = responseHeaders.get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  /** The next line of the body without its {@code \n}, blocking until it arrives; null at the end. */
  String readLine() throws IOException, InterruptedException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    while (true) {
      if (position == current.length && !nextChunk()) {
        return line.size() == 0 ? null : line.toString(StandardCharsets.UTF_8);
      }
      int start = position;
      while (position < current.length && current[position] != '\n') position++;
      line.write(current, start, position - start);
      if (position < current.length) {
        position++; // the '\n'
        return line.toString(StandardCharsets.UTF_8);
      }
    }
  }

  /** The whole remaining body. */
  byte[] readAll() throws IOException, InterruptedException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    do {
      all.write(current, position, current.length - position);
      position = current.length;
    } while (nextChunk());
    return all.toByteArray();
  }

  private boolean nextChunk() throws IOException, InterruptedException {
    if (ended) return false;
    Object next = chunks.take();
    if (next == END) {
      ended = true;
      return false;
    }
    if (next instanceof Throwable) {
      ended = true;
      throw next instanceof IOException ? (IOException) next : new IOException((Throwable) next);
    }
    current = (byte[]) next;
    position = 0;
    return true;
  }

  /** Stops reading: the proxy's next write fails and it cancels the backend call. Idempotent. */
  void cancel() {
    cancelled = true;
    ended = true;
    chunks.clear();
  }

  private final class Output extends OutputStream {
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

    @Override
    public void write(int b) throws IOException {
      checkOpen();
      pending.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      checkOpen();
      pending.write(b, off, len);
    }

    @Override
    public void flush() throws IOException {
      checkOpen();
      if (pending.size() == 0) return;
      byte[] chunk = pending.toByteArray();
      pending.reset();
      push(chunk);
    }

    /** Waits while the caller is behind; keeps one slot free for the end marker. */
    private void push(byte[] chunk) throws IOException {
      try {
        while (chunks.remainingCapacity() <= 1 || !chunks.offer(chunk)) {
          checkOpen();
          Thread.sleep(1);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while the in-process caller was behind", e);
      }
    }

    private void checkOpen() throws IOException {
      if (cancelled) throw new IOException("the in-process caller closed the response");
    }
  }
}
