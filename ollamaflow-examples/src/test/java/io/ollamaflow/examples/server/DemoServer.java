package io.ollamaflow.examples.server;

import java.nio.file.Files;
import java.nio.file.Path;

/** Starts the standalone server in demo mode on a free loopback port, with a settings file in {@code dir}. */
final class DemoServer {
  private DemoServer() {}

  /**
   * @param extraSettings more top-level settings keys, as JSON members with a leading comma
   *     ({@code ,"AdminBearerTokens":["t"]}), or empty
   */
  static OllamaFlowServer start(Path dir, String extraSettings) throws Exception {
    return start(dir, extraSettings, 1);
  }

  /** @param tokenDelayMs the simulated backends' delay before each streamed token */
  static OllamaFlowServer start(Path dir, String extraSettings, int tokenDelayMs) throws Exception {
    ServerOptions options = ServerOptions.parse(new String[] {"--demo", "--demo-token-delay", Integer.toString(tokenDelayMs),
        "--config", dir.resolve("ollamaflow.json").toString()});
    Files.writeString(options.config, "{\"Webserver\":{\"Hostname\":\"127.0.0.1\",\"Port\":0},"
        + "\"DatabaseFilename\":\"" + dir.resolve("unused.db") + "\"" + extraSettings + "}");
    return OllamaFlowServer.start(options, ServerSettings.load(options.config));
  }
}
