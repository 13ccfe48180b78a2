package io.ollamaflow.core.internal.proxy;

import java.io.IOException;
import java.io.InputStream;
import okhttp3.MediaType;
import okhttp3.RequestBody;
import okio.BufferedSink;
import okio.Okio;
import okio.Source;

/** The OkHttp view of a {@link ClientBody}: held whole, so it may be written again to another backend. */
final class ForwardedBody extends RequestBody {
  private final ClientBody body;

  ForwardedBody(ClientBody body) {
    this.body = body;
  }

  /** None: the client's own {@code Content-Type} header goes to the backend as it was sent, unparsed. */
  @Override
  public MediaType contentType() {
    return null;
  }

  @Override
  public long contentLength() {
    return body.length();
  }

  @Override
  public void writeTo(BufferedSink sink) throws IOException {
    try (InputStream in = body.open(); Source source = Okio.source(in)) {
      sink.writeAll(source);
    }
  }
}
