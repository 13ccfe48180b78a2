package io.ollamaflow.api;

/**
 * Makes a value a client chose (a path, a model name, a header, an error message that quotes
 * them) fit for one log line: control characters are escaped, so a value can neither start a
 * forged line nor drive the operator's terminal, and the value is cut to {@value #MAX_LENGTH}
 * characters, so a 1 MB model name costs a log line no more than a short one.
 */
public final class LogSafe {
  /** The most characters of a value a log line carries. */
  public static final int MAX_LENGTH = 200;

  private LogSafe() {}

  /**
   * {@code value} with C0 and C1 control characters, DEL, line and paragraph separators and
   * bidirectional overrides written as {@code \n}, {@code \t}, {@code \r} or {@code \}{@code uXXXX},
   * a backslash doubled, and at most {@value #MAX_LENGTH} characters of it kept, followed by
   * {@code ...(N chars)} when cut; "null" for null.
   */
  public static String of(String value) {
    return of(value, MAX_LENGTH);
  }

  /** As {@link #of(String)}, keeping at most {@code maxLength} characters (a logged body has a bound of its own). */
  public static String of(String value, int maxLength) {
    if (value == null) return "null";
    int end = Math.min(value.length(), maxLength);
    if (end < value.length() && Character.isHighSurrogate(value.charAt(end - 1))) end--;
    StringBuilder out = null;
    for (int i = 0; i < end; i++) {
      char c = value.charAt(i);
      String escape = escape(c);
      if (escape != null && out == null) out = new StringBuilder(end + 16).append(value, 0, i);
      if (out != null) {
        if (escape != null) out.append(escape);
        else out.append(c);
      }
    }
    if (end == value.length()) return out == null ? value : out.toString();
    return (out == null ? new StringBuilder(value.substring(0, end)) : out)
        .append("...(").append(value.length()).append(" chars)").toString();
  }

  private static String escape(char c) {
    switch (c) {
      case '\n': return "\\n";
      case '\r': return "\\r";
      case '\t': return "\\t";
      case '\\': return "\\\\";
      default:
        boolean unsafe = c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029'
            || (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069');
        return unsafe ? String.format("\\u%04x", (int) c) : null;
    }
  }
}
