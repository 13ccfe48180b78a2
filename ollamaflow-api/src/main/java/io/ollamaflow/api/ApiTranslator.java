package io.ollamaflow.api;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Translates requests from the client's dialect {@link #from()} to a backend's dialect
 * {@link #to()}, and the answers back, so a frontend can mix backends of different formats.
 *
 * <p>Threading: one instance serves all requests concurrently and must be stateless; per-stream
 * state lives in the {@link StreamTranslator} it creates. Methods must not block. A request that
 * cannot be expressed in the target dialect is refused with a {@link FlowException} of code
 * {@link ErrorCode#BAD_REQUEST} naming the field, never silently changed.
 */
public interface ApiTranslator {
  ApiFormat from();

  ApiFormat to();

  boolean supports(RequestKind kind);

  TranslatedRequest translateRequest(TranslationContext context, ObjectNode clientBody);

  /** Translates a complete, non-streamed backend answer. */
  ObjectNode translateResponse(TranslationContext context, ObjectNode backendBody);

  StreamTranslator newStreamTranslator(TranslationContext context);
}
