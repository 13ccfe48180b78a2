package io.ollamaflow.examples.server;

import java.nio.file.Files;
import java.nio.file.Path;

/** Settings JSON written to a file in a test's folder and read as the server reads it. */
final class SettingsFile {
  private SettingsFile() {}

  static ServerSettings load(Path dir, String json) throws Exception {
    Path file = dir.resolve("settings.json");
    Files.writeString(file, json);
    return ServerSettings.load(file);
  }
}
