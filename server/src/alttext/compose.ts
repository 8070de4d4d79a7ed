import { TopK } from "../store/top-k";
import { withIndefiniteArticles } from "./articles";
import { templateParts, type CaptionGrammar } from "./caption-bank";

/** Scores texts against the image: cosine of each text's embedding with the image's. */
export type TextScorer = (texts: string[]) => Promise<number[]>;

export interface ComposedCaption {
  text: string;
  cosine: number;
}

/**
 * Composes captions by beam search over the grammar: slots are filled left to right, and each partial caption is scored
 * as the template's prefix up to the slot just filled, so the beam keeps the values that already describe the image best.
 * Returns the best complete caption of each template.
 */
export async function composeCaptions(grammar: CaptionGrammar, score: TextScorer, beamWidth = 3): Promise<ComposedCaption[]> {
  const results: ComposedCaption[] = [];
  for (const template of grammar.templates) {
    const { literal, slots } = templateParts(template);
    const render = (values: readonly string[]) => {
      let text = literal[0]!;
      values.forEach((value, i) => (text += value + (i + 1 < slots.length && i + 1 < values.length ? literal[i + 1]! : "")));
      return withIndefiniteArticles((values.length === slots.length ? text + literal[slots.length]! : text).replace(/\s+/g, " ").trim());
    };
    if (slots.length === 0) {
      const text = render([]);
      results.push({ text, cosine: (await score([text]))[0]! });
      continue;
    }
    let beams: { values: string[]; cosine: number }[] = [{ values: [], cosine: -Infinity }];
    for (let s = 0; s < slots.length; s++) {
      const candidates = beams.flatMap((beam) => grammar.slots[slots[s]!]!.map((value) => [...beam.values, value]));
      const texts = candidates.map(render);
      const cosines = await score(texts);
      const best = new TopK<string[]>(beamWidth);
      candidates.forEach((values, i) => best.offer(cosines[i]!, values));
      beams = best.sorted().map(({ item, score: cosine }) => ({ values: item, cosine }));
    }
    const top = beams[0]!;
    results.push({ text: render(top.values), cosine: top.cosine });
  }
  return results;
}
