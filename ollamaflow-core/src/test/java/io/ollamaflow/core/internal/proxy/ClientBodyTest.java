package io.ollamaflow.core.internal.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ollamaflow.api.ErrorCode;
import io.ollamaflow.api.FlowException;
import io.ollamaflow.core.internal.routing.ApiEndpoint.ModelField;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClientBodyTest {
  private static final long NO_LIMIT = Long.MAX_VALUE;
  private static final long MB = 1024 * 1024;

  @TempDir Path spoolDirectory;
  private BodySpool spool;

  @BeforeEach
  void newSpool() {
    spool = new BodySpool(spoolDirectory, 64 * MB, 1024 * MB);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private ClientBody sniff(String body, ModelField field) throws IOException {
    return sniff(new ByteArrayInputStream(utf8(body)), NO_LIMIT, -1, field);
  }

  private ClientBody sniff(InputStream body, long limit, long declaredLength, ModelField field) throws IOException {
    return ClientBody.sniffModel(body, limit, declaredLength, field, spool, null);
  }

  private String model(String body, ModelField field) throws IOException {
    try (ClientBody b = sniff(body, field)) {
      return b.model();
    }
  }

  private FlowException badRequest(String body, ModelField field) {
    Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(() -> sniff(body, field).close());
    assertThat(thrown).isInstanceOf(FlowException.class);
    FlowException e = (FlowException) thrown;
    assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST);
    assertThat(e.httpStatus()).isEqualTo(400);
    return e;
  }

  /** A chat body whose messages array is about {@code bytes} long, with decoy "model" fields nested inside. */
  private static String messages(int bytes, long seed) {
    Random random = new Random(seed);
    StringBuilder sb = new StringBuilder("[");
    int i = 0;
    while (sb.length() < bytes) {
      if (i++ > 0) sb.append(',');
      sb.append("{\"role\":\"user\",\"model\":\"decoy\",\"meta\":{\"model\":\"decoy\",\"n\":[1,2,{\"model\":3}]},")
          .append("\"content\":\"");
      for (int j = 0; j < 900; j++) sb.append((char) ('a' + random.nextInt(26)));
      sb.append("\"}");
    }
    return sb.append(']').toString();
  }

  /** Delivers each chunk in its own read, as a socket may. */
  private static final class ChunkedInputStream extends InputStream {
    private final List<byte[]> chunks;
    private int chunk;
    private int pos;

    ChunkedInputStream(byte[]... chunks) {
      this.chunks = List.of(chunks);
    }

    @Override
    public int read() {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      while (chunk < chunks.size() && pos == chunks.get(chunk).length) {
        chunk++;
        pos = 0;
      }
      if (chunk == chunks.size()) return -1;
      if (len == 0) return 0;
      byte[] current = chunks.get(chunk);
      int n = Math.min(len, current.length - pos);
      System.arraycopy(current, pos, b, off, n);
      pos += n;
      return n;
    }
  }

  // ---- where the model is ----

  @Test
  void modelFoundWhenFirstField() throws IOException {
    assertThat(model("{\"model\":\"llama3\",\"prompt\":\"hi\"}", ModelField.MODEL)).isEqualTo("llama3");
  }

  @Test
  void modelFoundAfterLargeMessagesArrayAndNestedObjects() throws IOException {
    String body = "{\"messages\":" + messages(200_000, 1)
        + ",\"options\":{\"model\":\"decoy\",\"deep\":{\"model\":\"decoy\"}},\"model\":\"llama3:8b\"}";

    assertThat(model(body, ModelField.MODEL)).isEqualTo("llama3:8b");
  }

  @Test
  void nestedModelFieldsAreNotTakenForTheTopLevelOne() throws IOException {
    assertThat(model("{\"options\":{\"model\":\"decoy\"},\"prompt\":\"hi\"}", ModelField.MODEL)).isNull();
  }

  @Test
  void nameIsUsedWhenModelIsAbsentForModelOrName() throws IOException {
    assertThat(model("{\"name\":\"llama3\"}", ModelField.MODEL_OR_NAME)).isEqualTo("llama3");
  }

  @Test
  void modelWinsOverNameWhicheverComesFirstForModelOrName() throws IOException {
    assertThat(model("{\"name\":\"old\",\"model\":\"new\"}", ModelField.MODEL_OR_NAME)).isEqualTo("new");
    assertThat(model("{\"model\":\"new\",\"name\":\"old\"}", ModelField.MODEL_OR_NAME)).isEqualTo("new");
  }

  @Test
  void emptyModelFallsBackToNameForModelOrName() throws IOException {
    assertThat(model("{\"model\":\"\",\"name\":\"llama3\"}", ModelField.MODEL_OR_NAME)).isEqualTo("llama3");
    assertThat(model("{\"model\":null,\"name\":\"llama3\"}", ModelField.MODEL_OR_NAME)).isEqualTo("llama3");
  }

  @Test
  void nameIsIgnoredForModel() throws IOException {
    assertThat(model("{\"name\":\"llama3\",\"prompt\":\"hi\"}", ModelField.MODEL)).isNull();
    // A "name" of any type is none of the proxy's business on a MODEL route.
    assertThat(model("{\"name\":{\"x\":[1]},\"model\":\"m\"}", ModelField.MODEL)).isEqualTo("m");
  }

  @Test
  void sourceIsUsedForSource() throws IOException {
    assertThat(model("{\"source\":\"llama3\",\"destination\":\"mine\"}", ModelField.SOURCE)).isEqualTo("llama3");
    assertThat(model("{\"model\":\"other\",\"destination\":\"mine\",\"source\":\"llama3\"}", ModelField.SOURCE))
        .isEqualTo("llama3");
    assertThat(model("{\"model\":\"other\",\"destination\":\"mine\"}", ModelField.SOURCE)).isNull();
  }

  @Test
  void missingModelGivesNull() throws IOException {
    assertThat(model("{}", ModelField.MODEL)).isNull();
    assertThat(model("{\"model\":null}", ModelField.MODEL)).isNull();
    assertThat(model("{\"model\":\"\"}", ModelField.MODEL)).isNull();
  }

  // ---- refused bodies ----

  @Test
  void emptyBodyIsMissingRequestBody() {
    assertThat(badRequest("", ModelField.MODEL).getMessage()).isEqualTo("missing request body");
  }

  @Test
  void whitespaceOnlyBodyIsMissingRequestBody() {
    assertThat(badRequest("  \n ", ModelField.MODEL).getMessage()).isEqualTo("missing request body");
  }

  @Test
  void arrayBodyIsRefused() {
    assertThat(badRequest("[{\"model\":\"llama3\"}]", ModelField.MODEL).getMessage())
        .contains("must be a JSON object");
  }

  @Test
  void scalarBodyIsRefused() {
    assertThat(badRequest("\"llama3\"", ModelField.MODEL).getMessage()).contains("must be a JSON object");
  }

  @Test
  void scalarBodyIsRefusedNamingItsType() {
    assertThat(badRequest("\"llama3\"", ModelField.MODEL).getMessage())
        .isEqualTo("request body must be a JSON object, not a string");
  }

  @Test
  void malformedJsonBeforeModelIsRefusedWithLineAndColumn() {
    String body = "{\n  \"prompt\": \"hi\",\n  oops,\n  \"model\": \"llama3\"\n}";

    String message = badRequest(body, ModelField.MODEL).getMessage();

    assertThat(message).startsWith("malformed JSON").matches("(?s).*line 3, column \\d+.*");
  }

  @Test
  void truncatedJsonWithoutModelIsRefused() {
    assertThat(badRequest("{\"prompt\":\"hi\"", ModelField.MODEL).getMessage()).startsWith("malformed JSON");
  }

  @Test
  void numericModelIsRefused() {
    assertThat(badRequest("{\"model\":42}", ModelField.MODEL).getMessage()).startsWith("model: expected a string");
  }

  @Test
  void numericModelIsRefusedNamingItsType() {
    assertThat(badRequest("{\"model\":42}", ModelField.MODEL).getMessage())
        .isEqualTo("model: expected a string, got a number");
  }

  @Test
  void objectModelIsRefusedNamingTheField() {
    assertThat(badRequest("{\"model\":{\"id\":\"x\"}}", ModelField.MODEL).getMessage())
        .startsWith("model: expected a string");
    assertThat(badRequest("{\"name\":[\"x\"]}", ModelField.MODEL_OR_NAME).getMessage())
        .startsWith("name: expected a string");
    assertThat(badRequest("{\"source\":true}", ModelField.SOURCE).getMessage())
        .startsWith("source: expected a string");
  }

  // ---- size limit ----

  @Test
  void bodyLargerThanLimitIsTooLarge() {
    byte[] body = utf8("{\"messages\":" + messages(5_000, 2) + ",\"model\":\"llama3\"}");

    assertThatThrownBy(() -> sniff(new ByteArrayInputStream(body), 1_000, -1, ModelField.MODEL))
        .isInstanceOfSatisfying(ClientBodyException.class, e -> {
          assertThat(e.tooLarge()).isTrue();
          assertThat(e.getMessage()).contains("1000");
        });
  }

  @Test
  void bodyOverTheLimitAfterTheModelIsTooLargeBeforeItIsForwarded() throws IOException {
    byte[] body = utf8("{\"model\":\"llama3\",\"messages\":" + messages(100_000, 3) + "}");

    assertThatThrownBy(() -> sniff(new ByteArrayInputStream(body), 50_000, -1, ModelField.MODEL))
        .isInstanceOfSatisfying(ClientBodyException.class, e -> assertThat(e.tooLarge()).isTrue());
    assertThat(spoolFiles()).isEmpty();
    assertThat(spool.memoryInUse()).isZero();
  }

  @Test
  void bodyExactlyAtLimitIsAccepted() throws IOException {
    byte[] body = utf8("{\"model\":\"llama3\",\"messages\":" + messages(20_000, 4) + "}");

    try (ClientBody b = sniff(new ByteArrayInputStream(body), body.length, -1, ModelField.MODEL)) {
      assertThat(b.open().readAllBytes()).isEqualTo(body);
    }
  }

  // ---- whole body, replay ----

  @Test
  void modelFirstBodyIsReadWholeAndOpensAgainWithTheOriginalBytes() throws IOException {
    byte[] body = utf8("{\"model\":\"llama3\",\"messages\":" + messages(100_000, 5) + ",\"stream\":true}");

    try (ClientBody b = sniff(new ByteArrayInputStream(body), NO_LIMIT, -1, ModelField.MODEL)) {
      assertThat(b.model()).isEqualTo("llama3");
      assertThat(b.length()).isEqualTo(body.length);
      assertThat(b.open().readAllBytes()).isEqualTo(body);
      assertThat(b.open().readAllBytes()).as("a whole body can be sent again").isEqualTo(body);
    }
  }

  @Test
  void bodyWithoutModelIsReadWholeAndKnowsItsLength() throws IOException {
    byte[] body = utf8("{\"prompt\":\"hi\",\"options\":{\"temperature\":0.5}}");

    try (ClientBody b = sniff(new ByteArrayInputStream(body), NO_LIMIT, -1, ModelField.MODEL)) {
      assertThat(b.length()).isEqualTo(body.length);
      assertThat(b.open().readAllBytes()).isEqualTo(body);
      assertThat(b.open().readAllBytes()).as("a whole body can be sent again").isEqualTo(body);
    }
  }

  @Test
  void completeBodyIncludesBytesArrivingAfterTheClosingBrace() throws IOException {
    // A trailing newline (curl -d @file sends one) may arrive in a later read than the '}'.
    byte[] json = utf8("{\"prompt\":\"hi\"}");
    byte[] body = utf8("{\"prompt\":\"hi\"}\n");

    try (ClientBody b = sniff(new ChunkedInputStream(json, utf8("\n")), NO_LIMIT, -1, ModelField.MODEL)) {
      assertThat(b.open().readAllBytes()).isEqualTo(body);
      assertThat(b.length()).isEqualTo(body.length);
    }
  }

  @Test
  void bodyArrivingInSmallReadsReplaysExactly() throws IOException {
    String text = "{\"messages\":" + messages(30_000, 6) + ",\"model\":\"llama3\",\"stream\":true}";
    byte[] body = utf8(text);
    List<byte[]> chunks = new ArrayList<>();
    for (int i = 0; i < body.length; i += 1_000) {
      chunks.add(java.util.Arrays.copyOfRange(body, i, Math.min(body.length, i + 1_000)));
    }

    try (ClientBody b = sniff(new ChunkedInputStream(chunks.toArray(new byte[0][])), NO_LIMIT, -1, ModelField.MODEL)) {
      assertThat(b.model()).isEqualTo("llama3");
      assertThat(b.open().readAllBytes()).isEqualTo(body);
    }
  }

  @Test
  void passThroughBodyIsHeldWholeByteForByte() throws IOException {
    byte[] body = new byte[3 * 1024 * 1024];
    new Random(11).nextBytes(body);

    try (ClientBody b = ClientBody.passThrough(new ByteArrayInputStream(body), NO_LIMIT, spool, null)) {
      assertThat(b.length()).isEqualTo(body.length);
      assertThat(sha256(b.open())).isEqualTo(sha256(new ByteArrayInputStream(body)));
    }
    assertThat(spoolFiles()).isEmpty();
  }

  // ---- spool: memory, then a temporary file ----

  @Test
  void tenMegabyteBodyWithModelLastRoundTripsAndSpillsToATempFileThatCloseDeletes() throws Exception {
    StringBuilder sb = new StringBuilder("{\"messages\":");
    sb.append(messages(10 * 1024 * 1024, 7));
    sb.append(",\"model\":\"llama3\"}");
    byte[] body = utf8(sb.toString());
    assertThat(body.length).isGreaterThan(10 * 1024 * 1024);

    ClientBody b = sniff(new ByteArrayInputStream(body), 512 * MB, -1, ModelField.MODEL);
    List<Path> created;
    try {
      created = spoolFiles();
      assertThat(b.model()).isEqualTo("llama3");
      assertThat(created).as("spill files of this body").hasSize(1);
      assertThat(Files.size(created.get(0))).isEqualTo(body.length - BodySpool.MEMORY_PER_BODY);
      assertThat(spool.diskInUse()).isEqualTo(body.length - BodySpool.MEMORY_PER_BODY);
      try (InputStream in = b.open()) {
        assertThat(sha256(in)).isEqualTo(sha256(new ByteArrayInputStream(body)));
      }
    } finally {
      b.close();
    }

    assertThat(created.get(0)).doesNotExist();
    assertThat(spool.diskInUse()).isZero();
    assertThat(spool.memoryInUse()).isZero();
  }

  @Test
  void aBodyOfItsDeclaredLengthHoldsJustThatMuchOfTheSpool() throws IOException {
    byte[] body = utf8("{\"model\":\"llama3\",\"messages\":[{\"role\":\"user\",\"content\":\"" + "x".repeat(300) + "\"}]}");
    try (ClientBody held = sniff(new ByteArrayInputStream(body), NO_LIMIT, body.length, ModelField.MODEL)) {
      assertThat(held.model()).isEqualTo("llama3");
      assertThat(held.length()).isEqualTo(body.length);
      assertThat(spool.memoryInUse()).isEqualTo(body.length);
    }
    assertThat(spool.memoryInUse()).isZero();
  }

  @Test
  void smallBodyDoesNotSpill() throws IOException {
    byte[] body = utf8("{\"messages\":" + messages(50_000, 8) + ",\"model\":\"llama3\"}");

    try (ClientBody b = sniff(new ByteArrayInputStream(body), NO_LIMIT, -1, ModelField.MODEL)) {
      assertThat(spoolFiles()).isEmpty();
      assertThat(b.open().readAllBytes()).isEqualTo(body);
    }
  }

  @Test
  void refusedBodyLeavesNoSpillFile() throws IOException {
    String body = "{\"messages\":" + messages(1024 * 1024, 9) + ",\"model\":42}";

    badRequest(body, ModelField.MODEL);

    assertThat(spoolFiles()).isEmpty();
    assertThat(spool.diskInUse()).isZero();
  }

  @Test
  void bodiesGoToDiskOnceTheSpoolsHeapAllowanceIsTaken() throws IOException {
    spool = new BodySpool(spoolDirectory, 100_000, 1024 * MB);
    byte[] body = utf8("{\"model\":\"llama3\",\"messages\":" + messages(200_000, 12) + "}");

    try (ClientBody b = sniff(new ByteArrayInputStream(body), NO_LIMIT, -1, ModelField.MODEL)) {
      assertThat(spool.memoryInUse()).isLessThanOrEqualTo(100_000);
      assertThat(spoolFiles()).hasSize(1);
      assertThat(b.open().readAllBytes()).isEqualTo(body);
    }
    assertThat(spool.memoryInUse()).isZero();
  }

  @Test
  void bodyThatWouldOverfillTheSpoolsDiskAllowanceIsRefusedWith503AndLeavesNoFile() throws IOException {
    spool = new BodySpool(spoolDirectory, 0, MB);
    byte[] body = utf8("{\"model\":\"llama3\",\"messages\":" + messages(2 * 1024 * 1024, 13) + "}");

    assertThatThrownBy(() -> sniff(new ByteArrayInputStream(body), NO_LIMIT, -1, ModelField.MODEL))
        .isInstanceOfSatisfying(FlowException.class, e -> {
          assertThat(e.code()).isEqualTo(ErrorCode.BODY_SPOOL_FULL);
          assertThat(e.httpStatus()).isEqualTo(503);
          assertThat(e.getMessage()).contains("1048576 bytes on disk");
        });
    assertThat(spoolFiles()).isEmpty();
    assertThat(spool.diskInUse()).isZero();
  }

  // ---- helpers ----

  private List<Path> spoolFiles() throws IOException {
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> dir = Files.newDirectoryStream(spoolDirectory)) {
      for (Path p : dir) files.add(p);
    }
    return files;
  }

  private static String sha256(InputStream in) throws IOException {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
    try (DigestInputStream d = new DigestInputStream(in, digest)) {
      d.transferTo(java.io.OutputStream.nullOutputStream());
    }
    return java.util.HexFormat.of().formatHex(digest.digest());
  }
}
