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
  private final MediaType contentType;
  private final ClientBody body;

  ForwardedBody(MediaType contentType, ClientBody body) {
    this.contentType = contentType;
    this.body = body;
  }

  @Override
  public MediaType contentType() {
    return contentType;
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
