package io.ollamaflow.core.internal.proxy;

import io.ollamaflow.api.RequestKind;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.util.Set;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okio.BufferedSink;

/**
 * Whether one attempt's request reached its backend whole, which decides whether sending it
 * elsewhere after a failure could make two backends do the work. A request whose body was not
 * written to the end (connect failure, write failure) cannot have been started. One that was
 * may have been: it is sent again only when repeating it changes nothing that stays (inference,
 * reads), never a pull, push, create, copy, delete or blob upload.
 */
final class Delivery {
  /** Requests whose repetition leaves no lasting change on a backend, only spent time. */
  private static final Set<RequestKind> REPEATABLE = Set.of(RequestKind.ROOT, RequestKind.VERSION,
      RequestKind.COMPLETION, RequestKind.CHAT, RequestKind.EMBEDDINGS, RequestKind.LIST_MODELS,
      RequestKind.LIST_RUNNING, RequestKind.SHOW_MODEL);

  private final RequestKind kind;
  private volatile boolean bodyWritten;
  private boolean bodiless;

  Delivery(RequestKind kind) {
    this.kind = kind;
  }

  /** The request with its body watched. */
  Request track(Request request) {
    RequestBody body = request.body();
    if (body == null) {
      bodiless = true;
      return request;
    }
    return request.newBuilder().method(request.method(), new Watched(body)).build();
  }

  /** Whether the request may go to another backend after its call failed with {@code cause}. */
  boolean mayResend(IOException cause) {
    return !reachedBackend(cause) || REPEATABLE.contains(kind);
  }

  /**
   * {@code outcome}, a retry's reason completed with what the backend may have received (a
   * failure to connect already says so).
   */
  Attempt annotate(Attempt outcome, IOException cause) {
    if (!(outcome instanceof Attempt.Retry retry) || notConnected(cause)) return outcome;
    return new Attempt.Retry(retry.reason() + (reachedBackend(cause)
        ? " after the request reached it whole (it may have started the work)" : " before the request reached it whole"),
        retry.cause());
  }

  /** A bodiless request is taken as delivered once connected: nothing tells whether its head was read. */
  private boolean reachedBackend(IOException cause) {
    return !notConnected(cause) && (bodiless || bodyWritten);
  }

  private static boolean notConnected(IOException cause) {
    return cause instanceof ConnectException || cause instanceof UnknownHostException
        || cause instanceof NoRouteToHostException;
  }

  private final class Watched extends RequestBody {
    private final RequestBody body;

    Watched(RequestBody body) {
      this.body = body;
    }

    @Override
    public MediaType contentType() {
      return body.contentType();
    }

    @Override
    public long contentLength() throws IOException {
      return body.contentLength();
    }

    @Override
    public boolean isOneShot() {
      return body.isOneShot();
    }

    @Override
    public void writeTo(BufferedSink sink) throws IOException {
      body.writeTo(sink);
      bodyWritten = true;
    }
  }
}
