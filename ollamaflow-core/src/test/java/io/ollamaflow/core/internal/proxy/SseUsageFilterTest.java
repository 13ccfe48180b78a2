package io.ollamaflow.core.internal.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SseUsageFilterTest {
  private static final String FIRST = "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}],\"usage\":null}\n\n";
  private static final String LAST = "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n";
  private static final String USAGE = "data: {\"id\":\"c1\",\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":2}}\n\n";
  private static final String DONE = "data: [DONE]\n\n";

  @ParameterizedTest(name = "written {0} bytes at a time")
  @ValueSource(ints = {1, 3, 7, 64, 100_000})
  void theUsageChunkIsLeftOutAndEveryOtherEventPassesByteForByteHoweverTheWritesSplitThem(int piece) throws IOException {
    assertThat(filtered(FIRST + LAST + USAGE + DONE, piece)).isEqualTo(FIRST + LAST + DONE);
  }

  @Test
  void anEmptyChoicesEventWithoutUsageAndChunksWithUsageNullPass() throws IOException {
    String promptFilter = "data: {\"choices\": [],\"prompt_filter_results\":[{\"prompt_index\":0}]}\n\n";
    assertThat(filtered(promptFilter + FIRST + DONE, 5)).isEqualTo(promptFilter + FIRST + DONE);
  }

  @Test
  void eventsFramedWithCrLfAreRecognised() throws IOException {
    String crlf = (FIRST + USAGE + DONE).replace("\n\n", "\r\n\r\n");
    assertThat(filtered(crlf, 2)).isEqualTo((FIRST + DONE).replace("\n\n", "\r\n\r\n"));
  }

  @Test
  void aCompleteEventIsPassedOnAtOnceAndAPartialOneWaitsForItsEndOrForFinish() throws IOException {
    ByteArrayOutputStream client = new ByteArrayOutputStream();
    SseUsageFilter filter = new SseUsageFilter(client);
    filter.write((FIRST + "data: {\"par").getBytes(StandardCharsets.UTF_8));
    filter.flush();
    assertThat(client.toString(StandardCharsets.UTF_8)).isEqualTo(FIRST);
    filter.write("tial\":1}".getBytes(StandardCharsets.UTF_8));
    filter.finish();
    assertThat(client.toString(StandardCharsets.UTF_8)).isEqualTo(FIRST + "data: {\"partial\":1}");
  }

  private static String filtered(String stream, int piece) throws IOException {
    ByteArrayOutputStream client = new ByteArrayOutputStream();
    SseUsageFilter filter = new SseUsageFilter(client);
    byte[] bytes = stream.getBytes(StandardCharsets.UTF_8);
    for (int off = 0; off < bytes.length; off += piece) {
      filter.write(bytes, off, Math.min(piece, bytes.length - off));
      filter.flush();
    }
    filter.finish();
    return client.toString(StandardCharsets.UTF_8);
  }
}
