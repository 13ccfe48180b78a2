package io.ollamaflow.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.ollamaflow.api.Frontend;
import io.ollamaflow.core.testing.RawBackend;
import io.ollamaflow.core.testing.RetryLog;
import io.ollamaflow.core.testing.ScenarioHarness;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bodies larger than the spool's 256 KiB per body in memory (so held partly in a temporary
 * file) through real sockets: relayed byte for byte, and sent again whole, once, to the next
 * backend when the first fails; the temporary file is gone when the request ends.
 */
class LargeBodyScenarioTest {
  private static final String ANSWER = "{\"model\":\"m\",\"response\":\"ok\",\"done\":true}";

  @TempDir Path spool;
  private final ScenarioHarness harness = new ScenarioHarness();
  private final RetryLog listener = new RetryLog();

  @AfterEach
  void close() {
    harness.close();
  }

  @Test
  void aSixMegabyteBodyReachesTheBackendByteForByte() throws Exception {
    start();
    try (RawBackend backend = new RawBackend((method, path, n, out) -> {
      RawBackend.answer(out, 200, ANSWER);
      return true;
    })) {
      harness.configure(Frontend.builder("f1"), backend.backend("only"));
      byte[] body = generateBody(6 * 1024 * 1024);

      try (Response r = post(body)) {
        assertThat(r.code()).as(r.body().string()).isEqualTo(200);
      }

      assertThat(backend.postBodyDigests()).containsExactly(RawBackend.sha256(body));
      assertThat(spoolFiles()).as("temporary files left").isEmpty();
    }
  }

  @Test
  void aFailoverAfterA500ResendsTheLargeBodyIntactToTheSecondBackendEachGettingItOnce() throws Exception {
    start();
    try (RawBackend failing = new RawBackend((method, path, n, out) -> {
      RawBackend.answer(out, 500, "{\"error\":\"boom\"}");
      return true;
    });
        RawBackend answering = new RawBackend((method, path, n, out) -> {
          RawBackend.answer(out, 200, ANSWER);
          return true;
        })) {
      harness.configure(Frontend.builder("f1").allowRetries(true).loadBalancing("round-robin"),
          failing.backend("failing"), answering.backend("answering"));
      byte[] body = generateBody(3 * 1024 * 1024);

      try (Response r = post(body)) {
        assertThat(r.code()).as(r.body().string()).isEqualTo(200);
      }

      String digest = RawBackend.sha256(body);
      assertThat(failing.postBodyDigests()).containsExactly(digest);
      assertThat(answering.postBodyDigests()).containsExactly(digest);
      assertThat(listener.retries()).singleElement().asString().startsWith("failing: ").contains("answered 500");
      assertThat(spoolFiles()).as("temporary files left").isEmpty();
    }
  }

  @Test
  void aFailoverAfterTheBackendDroppedTheConnectionResendsTheLargeBodyIntactOnce() throws Exception {
    start();
    try (RawBackend dropping = new RawBackend(RawBackend.CLOSE_WITHOUT_ANSWER);
        RawBackend answering = new RawBackend((method, path, n, out) -> {
          RawBackend.answer(out, 200, ANSWER);
          return true;
        })) {
      harness.configure(Frontend.builder("f1").allowRetries(true).loadBalancing("round-robin"),
          dropping.backend("dropping"), answering.backend("answering"));
      byte[] body = generateBody(3 * 1024 * 1024);

      try (Response r = post(body)) {
        assertThat(r.code()).as(r.body().string()).isEqualTo(200);
      }

      String digest = RawBackend.sha256(body);
      assertThat(dropping.postBodyDigests()).containsExactly(digest);
      assertThat(answering.postBodyDigests()).containsExactly(digest);
      assertThat(listener.retries()).singleElement().asString().startsWith("dropping: ")
          .contains("after the request reached it whole");
    }
  }

  private void start() throws Exception {
    harness.start(b -> b.disableActiveHealthChecks().eventListener(listener)
        .requestBodySpool(spool, FlowCluster.DEFAULT_REQUEST_BODY_MEMORY_BYTES, FlowCluster.DEFAULT_REQUEST_BODY_DISK_BYTES));
  }

  private Response post(byte[] body) throws Exception {
    return harness.call(new Request.Builder().url(harness.url("/api/generate"))
        .post(RequestBody.create(body, ScenarioHarness.JSON)));
  }

  /** A generate request with the model first and a prompt of random letters, about {@code size} bytes. */
  private static byte[] generateBody(int size) {
    Random random = new Random(size);
    StringBuilder prompt = new StringBuilder(size);
    for (int i = 0; i < size; i++) prompt.append((char) ('a' + random.nextInt(26)));
    return ("{\"model\":\"m\",\"stream\":false,\"prompt\":\"" + prompt + "\"}").getBytes(StandardCharsets.UTF_8);
  }

  private List<Path> spoolFiles() throws Exception {
    try (Stream<Path> files = Files.list(spool)) {
      return files.toList();
    }
  }

}
