// Request checks shared by the handlers. Every message names the request field and, where there is one, the limit
// and the daemon flag that sets it.
import { invalidArgument, Llm2ClipError } from "../errors";

/** A list of captions or texts: at least one, at most `limit`, none blank. */
export function requireTexts(field: string, texts: readonly string[], limit: number, limitFlag: string): readonly string[] {
  if (texts.length === 0) throw invalidArgument(field, "must hold at least one text");
  if (texts.length > limit) {
    throw invalidArgument(field, `${texts.length} texts exceed the limit of ${limit} (llm2clipd ${limitFlag})`);
  }
  texts.forEach((text, i) => {
    if (text.trim() === "") throw invalidArgument(`${field}[${i}]`, "must not be empty or only whitespace");
  });
  return texts;
}

/**
 * Attributes a domain error raised while processing one request field to that field, keeping its kind, so that the
 * client learns which of its inputs failed. Cancellation is about the call, not a field, and passes through.
 */
export function atField(field: string, error: unknown): unknown {
  if (!(error instanceof Llm2ClipError) || error.kind === "cancelled" || error.kind === "deadline_exceeded") return error;
  const own = error.field !== undefined && error.message.startsWith(`${error.field}: `);
  const reason = own ? error.message.slice(error.field!.length + 2) : error.message;
  return new Llm2ClipError(error.kind, `${field}: ${reason}`, field, error.retryAfterMs);
}
