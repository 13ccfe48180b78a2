package io.ollamaflow.api;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Translates requests from the client's dialect {@link #from()} to a backend's dialect
 * {@link #to()}, and the answers back, so a frontend can mix backends of different formats and a
 * client cannot tell which kind served it.
 *
 * <p>Core does the rest: it parses the client's body once, applies the frontend's defaults and
 * pins to the translated body (pins are written in the backend's dialect), frames streams
 * (NDJSON lines, SSE {@code data:} events and the closing {@code [DONE]}), and turns backend
 * errors, before or during a stream, into errors of the client's dialect. Translators see and
 * return JSON objects only.
 *
 * <p>Threading: one instance serves all requests concurrently and must be stateless; per-stream
 * state lives in the {@link StreamTranslator} it creates. Methods are called on the request's
 * thread and must not block. A request that cannot be expressed in the target dialect is refused
 * with a {@link FlowException} of code {@link ErrorCode#BAD_REQUEST} naming the field, never
 * silently changed.
 */
public interface ApiTranslator {
  ApiFormat from();

  ApiFormat to();

  /** Whether requests of this kind can be translated at all; others never reach this translator. */
  boolean supports(RequestKind kind);

  /**
   * The request to send instead of the client's.
   *
   * @param clientBody the client's body (a private copy the translator may reuse); null for
   *     requests without one
   * @throws FlowException {@link ErrorCode#BAD_REQUEST} naming a field that has no equivalent
   */
  TranslatedRequest translateRequest(TranslationContext context, ObjectNode clientBody);

  /**
   * Translates a complete, non-streamed, successful backend answer.
   *
   * @throws FlowException when the answer does not fit the request (for example
   *     {@link ErrorCode#MODEL_NOT_FOUND} when a listing lacks the model asked about)
   */
  ObjectNode translateResponse(TranslationContext context, ObjectNode backendBody);

  /** Called once per streamed answer, before its first event. */
  StreamTranslator newStreamTranslator(TranslationContext context);
}
