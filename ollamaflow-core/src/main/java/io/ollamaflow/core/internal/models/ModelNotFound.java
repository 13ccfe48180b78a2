package io.ollamaflow.core.internal.models;

import io.ollamaflow.api.ApiFormat;
import io.ollamaflow.api.ErrorCode;
import io.ollamaflow.api.FlowException;

/**
 * The one wording of "no such model", as each dialect's own server words it, so that clients react
 * as they do to their server (the ollama CLI offers to pull on Ollama's wording).
 */
public final class ModelNotFound {
  private ModelNotFound() {}

  /** The message: Ollama's {@code model 'x' not found}, or OpenAI's {@code The model `x` does not exist.} */
  public static String message(ApiFormat dialect, String model) {
    return ApiFormat.OPENAI.equals(dialect) ? "The model `" + model + "` does not exist." : "model '" + model + "' not found";
  }

  /** The error, code {@link ErrorCode#MODEL_NOT_FOUND} (404). */
  public static FlowException error(ApiFormat dialect, String model) {
    return new FlowException(ErrorCode.MODEL_NOT_FOUND, message(dialect, model));
  }
}
