// The quick fixes for a reference: "Add alt text: …" when it has none, "Replace alt text with: …" otherwise.
import { altTextEdit, isAltMissing, type ImageReference, type TextEdit } from "@llm2clip/client";

export interface AltFix {
  title: string;
  edit: TextEdit;
}

export const MAX_FIXES = 3;

/** Up to `max` fixes from the suggestions (best first), skipping duplicates and the current alt text. */
export function altTextFixes(ref: ImageReference, suggestions: readonly string[], max = MAX_FIXES): AltFix[] {
  if (ref.dynamicAlt) return [];
  const missing = isAltMissing(ref);
  const seen = new Set([(ref.alt ?? "").trim().toLowerCase()]);
  const fixes: AltFix[] = [];
  for (const suggestion of suggestions) {
    const text = suggestion.trim();
    const key = text.toLowerCase();
    if (text === "" || seen.has(key)) continue;
    seen.add(key);
    fixes.push({ title: missing ? `Add alt text: "${text}"` : `Replace alt text with: "${text}"`, edit: altTextEdit(ref, text) });
    if (fixes.length === max) break;
  }
  return fixes;
}
