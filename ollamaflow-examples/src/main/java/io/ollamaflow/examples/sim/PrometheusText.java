package io.ollamaflow.examples.sim;

/** Prometheus' text exposition format, for the /metrics of the vLLM and llama.cpp flavors. */
final class PrometheusText {
  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final StringBuilder text = new StringBuilder();

  /** Appends one gauge with its HELP and TYPE lines; {@code labels} is "" or "{a=\"b\",...}". */
  PrometheusText gauge(String name, String help, String labels, double value) {
    text.append("# HELP ").append(name).append(' ').append(help).append('\n')
        .append("# TYPE ").append(name).append(" gauge\n")
        .append(name).append(labels).append(' ').append(value).append('\n');
    return this;
  }

  /** A label value with backslash, quote and newline escaped. */
  static String escape(String value) {
    return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }

  @Override
  public String toString() {
    return text.toString();
  }
}
