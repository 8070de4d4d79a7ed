import { describe, expect, it } from "vitest";
import { composeCaptions } from "../../src/alttext/compose";
import type { CaptionGrammar } from "../../src/alttext/caption-bank";

const grammar: CaptionGrammar = {
  slots: {
    size: ["small", "large"],
    colour: ["red", "green", "blue", "yellow"],
    shape: ["circle", "square", "star"],
    position: ["left", "right", "top", "bottom"],
  },
  templates: ["a {size} {colour} {shape} at the {position}", "a {colour} {shape}"],
};

/** Scores a text by how many of its words appear in `target`, less a small cost per other word. */
function overlapWith(target: string) {
  const words = new Set(target.split(" "));
  const scored: string[] = [];
  const score = async (texts: string[]) => {
    scored.push(...texts);
    return texts.map((text) => text.split(" ").reduce((sum, word) => sum + (words.has(word) ? 1 : -0.1), 0));
  };
  return { score, scored };
}

describe("composeCaptions", () => {
  it("fills every template's slots by beam search to the best-scoring caption", async () => {
    const { score, scored } = overlapWith("a large blue star at the bottom");
    const composed = await composeCaptions(grammar, score, 2);
    expect(composed.map((c) => c.text)).toEqual(["a large blue star at the bottom", "a blue star"]);
    expect(composed[0]!.cosine).toBe(7);
    // Left to right, prefixes only: "a small", then "a large red", ... never all 96 full captions of the first template.
    expect(scored).toContain("a small");
    expect(scored).toContain("a large blue");
    expect(scored.filter((text) => text.endsWith(" at the bottom")).length).toBeLessThan(2 * 4);
  });

  it("keeps text after the last slot and collapses spaces", async () => {
    const { score } = overlapWith("the red circle");
    const composed = await composeCaptions({ slots: { colour: ["red", "blue"] }, templates: ["the  {colour} circle"] }, score);
    expect(composed).toEqual([{ text: "the red circle", cosine: 3 }]);
  });

  it("matches each article to the word after it, in the captions it scores and returns", async () => {
    const { score, scored } = overlapWith("an orange star");
    const composed = await composeCaptions({ slots: { colour: ["orange", "red"], shape: ["star"] }, templates: ["a {colour} {shape}"] }, score);
    expect(composed.map((c) => c.text)).toEqual(["an orange star"]);
    expect(scored).toContain("a red");
    expect(scored.some((text) => text.startsWith("a orange"))).toBe(false);
  });
});
