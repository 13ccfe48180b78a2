package io.ollamaflow.examples.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** CPU time and resident memory of a process, read from Linux /proc. */
final class Proc {
  /** USER_HZ: the unit of utime and stime in /proc/PID/stat; 100 on Linux x86-64. */
  static final double TICKS_PER_SECOND = 100.0;

  private Proc() {}

  static boolean available() {
    return Files.isReadable(Path.of("/proc/self/stat"));
  }

  /** utime + stime of the process in seconds (all its threads), or NaN when unreadable. */
  static double cpuSeconds(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      // The command name (field 2) is in parentheses and may contain spaces.
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      // After the name: state is field 3, so utime (14) and stime (15) are at 11 and 12.
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS_PER_SECOND;
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  /** VmRSS of the process in bytes, or -1 when unreadable. */
  static long rssBytes(long pid) {
    long kb = statusField(pid, "VmRSS:");
    return kb < 0 ? -1 : kb * 1024;
  }

  /** The process's thread count (Threads: in /proc/PID/status), or -1 when unreadable. */
  static long threads(long pid) {
    return statusField(pid, "Threads:");
  }

  /** Open file descriptors of the process, or -1 when unreadable. */
  static long descriptors(long pid) {
    try (var fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
      return fds.count();
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** The first number after {@code name} in /proc/PID/status, or -1. */
  private static long statusField(long pid, String name) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith(name)) {
          return Long.parseLong(line.substring(name.length()).trim().split("\\s+")[0]);
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }
}
