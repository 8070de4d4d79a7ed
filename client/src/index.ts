// @llm2clip/client: everything a program needs to use llm2clipd, the generated contract included.
export * from "@llm2clip/proto";
export { connect, unary, type Connection, type ConnectionOptions } from "./connection";
export { DEFAULT_RETRY_POLICY, RETRY_AFTER_MS_KEY, retryAfterMs, withRetries, type RetryPolicy } from "./retry";
export { syncAssets, type SyncFile, type SyncRequest } from "./sync";
export { IMAGE_EXTENSIONS, documentLanguage, isImageFile, relativeInside, resolveImageFile, sha256File, walkFiles } from "./files";
export { FileHashes, type HashedFile } from "./file-hashes";
export { mapLimited } from "./map-limited";
export { DEFAULT_MAX_IMAGE_PIXELS, unreadableReason } from "./image-readability";
export { REFERENCE_LANGUAGES, isAltMissing, isReferenceLanguage } from "./documents/references";
export { findImageReferences } from "./documents/find-references";
export { altTextEdit, escapeAlt, type TextEdit } from "./documents/alt-edit";
export { referenceContext, lineColumn } from "./documents/context";
export { altTextsByImage } from "./documents/alt-texts";
export {
  ALT_RULES,
  ALT_RULE_IDS,
  MIN_CONFIDENCE,
  SEVERITIES,
  altTextAntiPattern,
  atLeast,
  textContradictionMessage,
  verdictSeverity,
  type AltRule,
  type AltRuleId,
  type AntiPattern,
  type Severity,
} from "./documents/alt-rules";
export type { AltSyntax, ImageReference, ImageReferenceKind, Range, ReferenceLanguage } from "./documents/references";
