package io.ollamaflow.examples.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Runs the standalone server in its own JVM, as {@code java -jar} would, for its exit status and output. */
final class ServerProcess {
  private ServerProcess() {}

  /** What the process printed (standard output and error together) and its exit status. */
  record Exit(int status, String output) {}

  /** Starts the server on {@code config} and waits (at most a minute) for it to exit. */
  static Exit run(Path config) throws Exception {
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process server = new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"),
        OllamaFlowServer.class.getName(), "--config", config.toString()).redirectErrorStream(true).start();
    String output = new String(server.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(server.waitFor(60, TimeUnit.SECONDS)).as("the server exits").isTrue();
    return new Exit(server.exitValue(), output);
  }
}
