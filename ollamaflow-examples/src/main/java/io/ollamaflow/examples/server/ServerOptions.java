package io.ollamaflow.examples.server;

import java.nio.file.Path;
import java.time.Duration;

/** The standalone server's command-line flags. Every flag is documented in {@link #USAGE} and the README. */
final class ServerOptions {
  static final String USAGE = String.join("\n",
      "Usage: java -jar ollamaflow-server.jar [options]",
      "",
      "Reads ollamaflow.json from the working directory (creating a default one if missing),",
      "keeps frontends and backends in the SQLite file it names (or in the PostgreSQL",
      "database of its Database section), and serves the Ollama and OpenAI APIs on",
      "Webserver.Hostname:Webserver.Port (default localhost:43411).",
      "",
      "Options:",
      "  --config FILE          settings file to read instead of ./ollamaflow.json",
      "  --demo                 start three simulated Ollama backends in this process and serve",
      "                         them through frontend 'demo' (in memory; the database is not touched)",
      "  --demo-token-delay MS  delay between streamed tokens of the simulated backends (default 50)",
      "  --help                 print this text and exit");

  Path config = Path.of("ollamaflow.json");
  boolean demo;
  Duration demoTokenDelay = Duration.ofMillis(50);
  boolean help;

  /** @throws IllegalArgumentException naming the flag that is wrong */
  static ServerOptions parse(String[] args) {
    ServerOptions options = new ServerOptions();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--config":
          options.config = Path.of(value(args, ++i, "--config"));
          break;
        case "--demo":
          options.demo = true;
          break;
        case "--demo-token-delay":
          String ms = value(args, ++i, "--demo-token-delay");
          try {
            options.demoTokenDelay = Duration.ofMillis(Long.parseLong(ms));
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--demo-token-delay: \"" + ms + "\" (expected: milliseconds, e.g. 50)");
          }
          if (options.demoTokenDelay.isNegative()) {
            throw new IllegalArgumentException("--demo-token-delay: " + ms + " (expected: >= 0)");
          }
          break;
        case "--help":
        case "-h":
          options.help = true;
          break;
        default:
          throw new IllegalArgumentException("unknown option \"" + args[i] + "\" (see --help)");
      }
    }
    return options;
  }

  private static String value(String[] args, int i, String flag) {
    if (i >= args.length) throw new IllegalArgumentException(flag + " needs a value (see --help)");
    return args[i];
  }
}
