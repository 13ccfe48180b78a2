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

  @ParameterizedTest(name = "line ends {0}")
  @ValueSource(strings = {"\r\n", "\r"})
  void eventsWhoseLinesEndWithCrLfOrCrAloneAreRecognisedAtEverySplit(String lineEnd) throws IOException {
    String stream = (FIRST + LAST + USAGE + DONE).replace("\n", lineEnd);
    String expected = (FIRST + LAST + DONE).replace("\n", lineEnd);
    for (int piece = 1; piece <= stream.length(); piece++) {
      assertThat(filtered(stream, piece)).as("written %d bytes at a time", piece).isEqualTo(expected);
    }
  }

  @Test
  void mixedLineEndsDoNotJoinAContentEventToTheUsageChunk() throws IOException {
    String content = FIRST.replace("\n\n", "\n\r\n");
    assertThat(filtered(content + USAGE + DONE, 4)).isEqualTo(content + DONE);
  }

  @Test
  void commentsFieldsOtherThanDataAndAContentChunkQuotingTheShapeAllPass() throws IOException {
    String comment = ": keep-alive\n\n";
    String named = "event: message\nid: 7\n" + FIRST;
    String quoting = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"\\\"choices\\\":[] and \\\"usage\\\":{\"}}]}\n\n";
    assertThat(filtered(comment + named + quoting + USAGE + DONE, 9)).isEqualTo(comment + named + quoting + DONE);
  }

  @Test
  void anEventLongerThanAnyUsageChunkIsPassedOnWithoutBeingHeldWhole() throws IOException {
    ByteArrayOutputStream client = new ByteArrayOutputStream();
    SseUsageFilter filter = new SseUsageFilter(client);
    String longData = "data: " + "x".repeat(SseUsageFilter.MAX_HELD + 10);
    filter.write(longData.getBytes(StandardCharsets.UTF_8));
    assertThat(client.size()).as("passed on before its end").isEqualTo(longData.length());
    filter.write(("\n\n" + USAGE + DONE).getBytes(StandardCharsets.UTF_8));
    filter.finish();
    assertThat(client.toString(StandardCharsets.UTF_8)).isEqualTo(longData + "\n\n" + DONE);
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
