package io.ollamaflow.core.internal.load;

/**
 * What a backend says of its own load; -1 for what it does not say.
 *
 * @param running requests it is running now
 * @param waiting requests waiting inside it for a slot
 * @param slots how many requests it runs at once by its own configuration
 */
public record ReportedLoad(int running, int waiting, int slots) {
  public static final ReportedLoad NOTHING = new ReportedLoad(-1, -1, -1);

  /**
   * Reads the gauges of a Prometheus text exposition that vLLM ({@code vllm:num_requests_running},
   * {@code vllm:num_requests_waiting}) and llama.cpp's server ({@code llamacpp:requests_processing},
   * {@code llamacpp:requests_deferred}) publish on {@code /metrics}, summed over their labels (vLLM
   * labels each with {@code model_name}).
   */
  public static ReportedLoad fromMetrics(String exposition) {
    double running = -1;
    double waiting = -1;
    for (String line : exposition.split("\n")) {
      if (line.isEmpty() || line.charAt(0) == '#') continue;
      String name = metricName(line);
      switch (name) {
        case "vllm:num_requests_running", "llamacpp:requests_processing" -> running = add(running, value(line));
        case "vllm:num_requests_waiting", "llamacpp:requests_deferred" -> waiting = add(waiting, value(line));
        default -> { }
      }
    }
    return new ReportedLoad((int) Math.round(running), (int) Math.round(waiting), -1);
  }

  private static String metricName(String line) {
    int end = 0;
    while (end < line.length() && line.charAt(end) != '{' && line.charAt(end) != ' ') end++;
    return line.substring(0, end);
  }

  /** The sample value: the first field after the name and labels; NaN when unreadable. */
  private static double value(String line) {
    int labelsEnd = line.indexOf('}');
    String rest = (labelsEnd >= 0 ? line.substring(labelsEnd + 1) : line.substring(metricName(line).length())).trim();
    int space = rest.indexOf(' ');
    try {
      return Double.parseDouble(space < 0 ? rest : rest.substring(0, space));
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }

  private static double add(double sum, double value) {
    if (Double.isNaN(value) || value < 0) return sum;
    return Math.max(0, sum) + value;
  }
}
