import type { AltTextContext } from "@llm2clip/proto";

const MAX_SENTENCES = 24;
const MAX_SENTENCE_LENGTH = 300;
const MIN_SENTENCE_LENGTH = 3;

/**
 * Candidate alt texts from an image's surroundings: the sentences around it, its nearest heading, and its file name
 * made readable ("red-circle_01.png" -> "red circle").
 */
export function contextCandidates(context: AltTextContext | undefined): string[] {
  if (!context) return [];
  const candidates: string[] = [];
  for (const sentence of splitSentences(context.surroundingText)) candidates.push(sentence);
  const heading = context.heading.replace(/^#+\s*/, "").trim();
  if (heading.length >= MIN_SENTENCE_LENGTH) candidates.push(heading);
  const fromName = readableFileName(context.fileName);
  if (fromName) candidates.push(fromName);
  return [...new Set(candidates)].slice(0, MAX_SENTENCES + 2);
}

export function splitSentences(text: string): string[] {
  return cleanMarkup(text)
    .split(/(?<=[.!?])\s+|(?<=[。！？])\s*|\n+/)
    .map((sentence) => sentence.replace(/^\s*(#+|>)\s*/, "").replace(/\s+/g, " ").trim())
    .filter((sentence) => sentence.length >= MIN_SENTENCE_LENGTH && sentence.length <= MAX_SENTENCE_LENGTH)
    .slice(0, MAX_SENTENCES);
}

/** The words of a file name, or undefined when it carries none (IMG_0042, a hash). */
export function readableFileName(fileName: string): string | undefined {
  const base = fileName.split("/").pop()!.replace(/\.[A-Za-z0-9]+$/, "");
  const words = base
    .split(/[-_.\s]+/)
    .filter((word) => /\p{L}/u.test(word) && !/^(img|image|dsc|pic|screenshot)$/i.test(word) && !/^[0-9a-f]{8,}$/i.test(word));
  return words.length > 0 ? words.join(" ") : undefined;
}

/** Markdown and HTML markup that the model should not read: image syntax, links, emphasis, tags. */
function cleanMarkup(text: string): string {
  return text
    .replace(/!\[[^\]]*\]\([^)]*\)/g, " ")
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/<[^>]+>/g, " ")
    .replace(/(\*\*|__|[*_`])(\S[^*_`\n]*?)\1/g, "$2");
}
