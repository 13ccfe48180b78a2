package io.ollamaflow.core.internal.proxy;

import java.io.IOException;

/** The client's connection failed (usually: it went away); nothing more can be sent to it. */
final class ClientGoneException extends IOException {
  ClientGoneException(IOException cause) {
    super("client connection failed: " + cause.getMessage(), cause);
  }
}
