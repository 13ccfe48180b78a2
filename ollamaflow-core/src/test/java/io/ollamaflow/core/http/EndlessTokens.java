package io.ollamaflow.core.http;

import io.ollamaflow.core.testing.Chunks;
import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponseBody;
import okio.BufferedSink;

/** A chunked NDJSON stream that sends a token line every {@code intervalMs} until its write fails. */
final class EndlessTokens implements MockResponseBody {
  private final long intervalMs;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile long stoppedAtNanos;

  EndlessTokens(long intervalMs) {
    this.intervalMs = intervalMs;
  }

  /** When the backend's write failed, in {@link System#nanoTime()} terms; waits up to the timeout. */
  long awaitStoppedAtNanos(long timeout, TimeUnit unit) throws InterruptedException {
    return stopped.await(timeout, unit) ? stoppedAtNanos : -1;
  }

  @Override
  public long getContentLength() {
    return -1;
  }

  @Override
  public void writeTo(BufferedSink sink) throws IOException {
    try {
      for (int i = 0; i < 10_000; i++) {
        Chunks.write(sink, "{\"model\":\"m\",\"response\":\"token" + i + "\",\"done\":false}\n");
        Thread.sleep(intervalMs);
      }
    } catch (IOException e) {
      stoppedAtNanos = System.nanoTime();
      stopped.countDown();
      throw e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
