import { readFile } from "node:fs/promises";
import { Llm2ClipError } from "../errors";

/** `caption_bank.json` (models/MANIFEST.md): ready-made captions and the grammar they were written in. */
export interface CaptionBank {
  captions: string[];
  grammar?: CaptionGrammar;
}

export interface CaptionGrammar {
  slots: Record<string, string[]>;
  /** Text with `{slot}` placeholders, e.g. "a {size} {colour} {shape} at the {position}". */
  templates: string[];
}

const SLOT = /\{([A-Za-z0-9_]+)\}/g;

export async function loadCaptionBank(file: string): Promise<CaptionBank> {
  const bad = (field: string, message: string) => new Llm2ClipError("failed_precondition", `${file}: ${field} ${message}`, field);
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, "utf8"));
  } catch (error) {
    throw bad("(file)", `cannot be read as JSON: ${(error as Error).message}`);
  }
  const root = json as { captions?: unknown; grammar?: { slots?: unknown; templates?: unknown } };
  if (!isStringArray(root.captions)) throw bad("captions", "must be an array of strings");
  if (root.grammar === undefined) return { captions: root.captions };
  const { slots, templates } = root.grammar;
  if (typeof slots !== "object" || slots === null || !Object.values(slots).every((values) => isStringArray(values) && values.length > 0)) {
    throw bad("grammar.slots", "must map each slot name to a non-empty array of strings");
  }
  if (!isStringArray(templates)) throw bad("grammar.templates", "must be an array of strings");
  const slotMap = slots as Record<string, string[]>;
  templates.forEach((template, i) => {
    for (const [, name] of template.matchAll(SLOT)) {
      if (!(name! in slotMap)) throw bad(`grammar.templates[${i}]`, `uses slot {${name}} that grammar.slots does not define`);
    }
  });
  return { captions: root.captions, grammar: { slots: slotMap, templates } };
}

/** A template split into literal text and slot names, in order. */
export function templateParts(template: string): { literal: string[]; slots: string[] } {
  const literal: string[] = [];
  const slots: string[] = [];
  let last = 0;
  for (const match of template.matchAll(SLOT)) {
    literal.push(template.slice(last, match.index));
    slots.push(match[1]!);
    last = match.index! + match[0].length;
  }
  literal.push(template.slice(last));
  return { literal, slots };
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === "string");
}
