package io.ollamaflow.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every acknowledged write survives the writing process being killed (SIGKILL) at a random point
 * of a burst of writes, trial after trial on the same file, and the file always opens cleanly.
 */
class SqliteConfigStoreCrashTest {
  private static final int TRIALS = 20;
  /** The kill comes after a random number of acknowledged writes, up to this many. */
  private static final int MAX_ACKS_BEFORE_KILL = 40;
  /** ...and a random delay of up to this many milliseconds, so that it lands anywhere within a write. */
  private static final int MAX_EXTRA_DELAY_MS = 8;

  @TempDir
  Path dir;

  @Test
  void everyAcknowledgedWriteSurvivesSigkillAtRandomPointsOfABurst() throws Exception {
    Path file = dir.resolve("crash.db");
    long seed = System.nanoTime();
    Random random = new Random(seed);
    int acknowledged = 0;
    List<String> lost = new ArrayList<>();

    for (int trial = 0; trial < TRIALS; trial++) {
      List<Integer> acks = runAndKill(file, trial, random.nextInt(MAX_ACKS_BEFORE_KILL + 1),
          random.nextInt(MAX_EXTRA_DELAY_MS + 1));
      acknowledged += acks.size();

      // The store opens without an exception, the file is intact, and every acknowledged write is there, exactly.
      try (SqliteConfigStore store = SqliteConfigStore.open(file)) {
        assertThat(integrityCheck(file)).as("PRAGMA integrity_check after trial %d (seed %d)", trial, seed)
            .isEqualTo("ok");
        for (int write : acks) {
          Object stored = CrashWrites.read(store, trial, write);
          if (!CrashWrites.expected(trial, write).equals(stored)) lost.add(CrashWrites.id(trial, write));
        }
      }
    }

    System.out.println("crash test: trials=" + TRIALS + " acknowledged=" + acknowledged + " lost=" + lost.size());
    assertThat(lost).as("acknowledged writes missing or changed (seed %d)", seed).isEmpty();
    assertThat(acknowledged).as("the children got some writes done before being killed").isGreaterThan(TRIALS);
  }

  /**
   * Starts a writer on the database, lets it acknowledge {@code killAfterAcks} writes, waits a
   * further {@code extraDelayMs} (so the kill lands anywhere within a write), kills it with SIGKILL
   * and returns the writes it acknowledged. The child's output goes to a file rather than a pipe:
   * a line written before the kill is in the file whatever the timing, and there is no race
   * between reading a pipe and the JDK draining it when the process dies.
   */
  private List<Integer> runAndKill(Path database, int trial, int killAfterAcks, int extraDelayMs) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    // Surefire starts tests from a manifest-only jar; it publishes the real class path separately.
    String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    Path output = dir.resolve("writer-" + trial + ".out");
    // Kept apart from the acknowledgements: JDK 22+ warns on stderr when sqlite-jdbc loads its native library.
    Path errors = dir.resolve("writer-" + trial + ".err");
    Process child = new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-cp", classPath,
        CrashingWriterProcess.class.getName(), database.toString(), Integer.toString(trial))
        .redirectOutput(output.toFile())
        .redirectError(errors.toFile())
        .start();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (acks(output) < killAfterAcks && child.isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(1);
      }
      assertThat(child.isAlive()).as("writer of trial %d still running; output: %s; errors: %s", trial,
          lines(output), Files.readString(errors)).isTrue();
      Thread.sleep(extraDelayMs);
    } finally {
      child.destroyForcibly(); // SIGKILL on Unix: no shutdown hooks, no close, no flush
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
    List<Integer> acks = new ArrayList<>();
    for (String line : lines(output)) {
      if (line.equals(CrashingWriterProcess.READY)) continue;
      assertThat(line).as("output of the writer of trial %d", trial).startsWith(CrashingWriterProcess.ACK);
      acks.add(Integer.parseInt(line.substring(CrashingWriterProcess.ACK.length())));
    }
    for (int i = 0; i < acks.size(); i++) {
      assertThat(acks.get(i)).as("acks arrive in order").isEqualTo(i);
    }
    return acks;
  }

  private static int acks(Path output) throws IOException {
    int count = 0;
    for (String line : lines(output)) {
      if (line.startsWith(CrashingWriterProcess.ACK)) count++;
    }
    return count;
  }

  private static List<String> lines(Path output) throws IOException {
    // A line still being written has no newline yet; leave it for the next look.
    String text = Files.readString(output, StandardCharsets.UTF_8);
    int end = text.lastIndexOf('\n');
    return end < 0 ? List.of() : text.substring(0, end).lines().toList();
  }

  private static String integrityCheck(Path file) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("PRAGMA integrity_check")) {
      rs.next();
      return rs.getString(1);
    }
  }
}
