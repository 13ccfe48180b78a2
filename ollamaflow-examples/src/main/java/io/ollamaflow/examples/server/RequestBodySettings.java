package io.ollamaflow.examples.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.ollamaflow.core.FlowCluster;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The {@code RequestBodySpool} section of {@code ollamaflow.json}: where request bodies wait whole
 * before routing ({@link FlowCluster.Builder#requestBodySpool}). Any other key is refused by name.
 *
 * @param directory null for the JVM's temporary directory
 */
record RequestBodySettings(Path directory, long maxMemoryBytes, long maxDiskBytes) {
  static final RequestBodySettings DEFAULT = new RequestBodySettings(null, FlowCluster.DEFAULT_REQUEST_BODY_MEMORY_BYTES,
      FlowCluster.DEFAULT_REQUEST_BODY_DISK_BYTES);

  private static final SettingsKeys KEYS = SettingsKeys.of("Directory", "MaxMemoryBytes", "MaxDiskBytes");

  /** @throws IllegalArgumentException naming the key and what was wrong */
  static RequestBodySettings read(JsonNode spool) {
    if (spool == null) return DEFAULT;
    KEYS.check(spool, "RequestBodySpool");
    return new RequestBodySettings(directory(ServerSettings.field(spool, "Directory")),
        bytes(spool, "MaxMemoryBytes", DEFAULT.maxMemoryBytes()), bytes(spool, "MaxDiskBytes", DEFAULT.maxDiskBytes()));
  }

  private static Path directory(JsonNode value) {
    if (value == null) return null;
    if (!value.isTextual() || value.textValue().isBlank()) {
      throw new IllegalArgumentException("RequestBodySpool.Directory: " + value + " (expected: a non-empty string)");
    }
    Path directory = Path.of(value.textValue());
    if (!Files.isDirectory(directory) || !Files.isWritable(directory)) {
      throw new IllegalArgumentException("RequestBodySpool.Directory: " + directory + " is not a writable directory");
    }
    return directory;
  }

  private static long bytes(JsonNode spool, String name, long fallback) {
    JsonNode value = ServerSettings.field(spool, name);
    if (value == null) return fallback;
    if (!value.isIntegralNumber() || !value.canConvertToLong() || value.longValue() < 0) {
      throw new IllegalArgumentException("RequestBodySpool." + name + ": " + value + " (expected: a whole number of bytes >= 0)");
    }
    return value.longValue();
  }
}
