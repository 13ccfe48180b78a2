package io.ollamaflow.core.testing;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponseBody;
import okio.BufferedSink;

/**
 * A backend response body written as HTTP/1.1 chunks, one chunk per event, flushed one at a time.
 * After event {@code i} the backend waits until {@link #release(int)} is called for it, so a test
 * can prove the client saw event {@code i} before the backend sent event {@code i + 1}.
 * Serve it with the header {@code Transfer-Encoding: chunked}.
 */
public final class ChunkedEvents implements MockResponseBody {
  private final List<String> events;
  private final CountDownLatch[] gates;
  private final boolean dieAfterLastEvent;
  private volatile IOException writeFailure;
  private final CountDownLatch finished = new CountDownLatch(1);

  private ChunkedEvents(List<String> events, boolean gated, boolean dieAfterLastEvent) {
    this.events = events;
    this.dieAfterLastEvent = dieAfterLastEvent;
    this.gates = new CountDownLatch[events.size()];
    for (int i = 0; i < gates.length; i++) gates[i] = new CountDownLatch(gated ? 1 : 0);
  }

  /** Each event waits for the client to release the previous one. */
  public static ChunkedEvents gated(List<String> events) {
    return new ChunkedEvents(events, true, false);
  }

  /**
   * Sends the events and stops without the closing chunk; serve it with
   * {@code onResponseEnd(new SocketEffect.CloseSocket())} so the backend then hangs up mid-body.
   */
  public static ChunkedEvents dyingAfter(List<String> events) {
    return new ChunkedEvents(events, false, true);
  }

  public void release(int event) {
    gates[event].countDown();
  }

  /** Waits until the backend stopped writing, and returns the write failure if it had one. */
  public IOException awaitFinished(long timeout, TimeUnit unit) throws InterruptedException {
    finished.await(timeout, unit);
    return writeFailure;
  }

  @Override
  public long getContentLength() {
    return -1;
  }

  @Override
  public void writeTo(BufferedSink sink) throws IOException {
    try {
      for (int i = 0; i < events.size(); i++) {
        Chunks.write(sink, events.get(i));
        if (i < events.size() - 1 && !gates[i].await(10, TimeUnit.SECONDS)) {
          throw new IOException("the client never confirmed event " + i);
        }
      }
      if (dieAfterLastEvent) return;
      Chunks.end(sink);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    } catch (IOException e) {
      writeFailure = e;
      throw e;
    } finally {
      finished.countDown();
    }
  }
}
